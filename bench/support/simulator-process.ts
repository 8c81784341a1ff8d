/**
 * The provider simulator in a process of its own, so that nothing the
 * orchestrator holds (wrangler's modules, every figure's samples) makes the
 * simulator's garbage collection pause: with the simulator in the
 * orchestrator, its major collections paused for 10 to 125 ms while figure 3
 * ran (`node --trace-gc`), and every stream's chunks waited with them.
 *
 * Finished calls are counted and dropped once a second: the orchestrator
 * only asks how many chat calls reached the simulator, and keeping every
 * request (figure 7 sends megabytes of attachments) would grow this heap
 * the same way.
 */
import { startProviderSimulator } from "../../test/simulators/provider/server.ts";

const COMPLETIONS = "/v1/chat/completions";

// The SPA's counter streams at this pace; every other figure sets its own in the prompt.
const simulator = await startProviderSimulator({ firstTokenDelayMs: 20, chunkDelayMs: 2 });
let finishedCompletions = 0;

setInterval(() => {
  const open = [];
  for (const request of simulator.requests) {
    if (request.closedAt === undefined) open.push(request);
    else if (request.path === COMPLETIONS) finishedCompletions += 1;
  }
  simulator.requests.splice(0, simulator.requests.length, ...open);
}, 1_000).unref();

process.on("message", (message: { id: number }) => {
  const open = simulator.requests.filter((request) => request.path === COMPLETIONS).length;
  process.send?.({ id: message.id, completionCalls: finishedCompletions + open });
});
process.send?.({ url: simulator.url });

process.once("SIGTERM", () => {
  void simulator.close().finally(() => process.exit(0));
});
