/**
 * Runs the provider simulator on its own, for `npm run dev` when no provider
 * key is set: `npx tsx test/simulators/provider/main.ts`.
 */
import { startProviderSimulator } from "./server.ts";

const DEFAULT_PORT = 8790;

const port = Number(process.env.KILN_SIMULATOR_PORT ?? DEFAULT_PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(
    `KILN_SIMULATOR_PORT must be a port number, got "${process.env.KILN_SIMULATOR_PORT}"\n`,
  );
  process.exit(1);
}

const simulator = await startProviderSimulator({ port, host: "127.0.0.1" });
process.stdout.write(`provider simulator listening on ${simulator.url}\n`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.close();
  });
}
