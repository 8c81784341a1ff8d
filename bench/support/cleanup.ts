/**
 * Everything a run started, stopped however the run ends: normally, on an
 * error, or on Ctrl-C and SIGTERM. wrangler runs in a process group of its
 * own (local/stack.ts), so a terminal's Ctrl-C never reaches it or its
 * workerd: without this they outlive the run, with a core's worth of CPU
 * and gigabytes of memory. Stops run newest first, each on its own, so one
 * that fails does not keep the others from running.
 */
import { stopWranglers } from "../../local/stack.ts";
import { importWrangler } from "../../local/wrangler-config.ts";

type Stop = { name: string; stop: () => Promise<void> };

const stops: Stop[] = [];

/** Registers a stop; the returned function stops it now and unregisters it. */
export function track(name: string, stop: () => Promise<void>): () => Promise<void> {
  const entry: Stop = { name, stop };
  stops.push(entry);
  return async () => {
    const index = stops.indexOf(entry);
    if (index === -1) return;
    stops.splice(index, 1);
    await entry.stop();
  };
}

let stopping: Promise<void> | undefined;
let signalled = false;

/** Runs every stop once: a second caller (the signal handler and the run itself) waits for the first. */
export function stopAll(log: (line: string) => void): Promise<void> {
  stopping ??= runStops(log);
  return stopping;
}

/** True once SIGINT or SIGTERM arrived: the run's results are not written then. */
export function interrupted(): boolean {
  return signalled;
}

async function runStops(log: (line: string) => void): Promise<void> {
  while (stops.length > 0) {
    const entry = stops.pop() as Stop;
    try {
      await entry.stop();
    } catch (error) {
      log(`could not stop ${entry.name}: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/**
 * The start of every benchmark process: wrangler imported first (importing
 * it installs handlers that exit at once, which it removes), then ours, and
 * wranglers still booting are stopped with the rest.
 */
export async function stopEverythingOnSignals(log: (line: string) => void): Promise<void> {
  await importWrangler();
  stopOnSignals(log);
  track("wrangler processes still starting", stopWranglers);
}

/**
 * On the first SIGINT or SIGTERM, stops everything and exits; another one a
 * second or more later exits at once. (One Ctrl-C can arrive twice: from the
 * terminal to the whole process group, and relayed by tsx.)
 */
function stopOnSignals(log: (line: string) => void): void {
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince >= 1_000) process.exit(code);
      return;
    }
    stoppingSince = Date.now();
    signalled = true;
    log(`${signal}: stopping the stack, the database and the load process (again to exit now)`);
    void stopAll(log).finally(() => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
