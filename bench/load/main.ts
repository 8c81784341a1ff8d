/**
 * The load generator, in its own process so that sending and reading
 * requests never shares an event loop with the simulator or the database.
 * The orchestrator sends `{ id, job }` over IPC and gets `{ id, result }` or
 * `{ id, error }` back.
 */
import { type LoadJob, runJob } from "./jobs.ts";

type Incoming = { id: number; job: LoadJob };

process.on("message", (message: Incoming) => {
  runJob(message.job).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        error: error instanceof Error ? error.stack : String(error),
      }),
  );
});

process.send?.({ ready: true });
