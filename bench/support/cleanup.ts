/**
 * Everything a run started, stopped however the run ends: normally, on an
 * error, or on Ctrl-C and SIGTERM. wrangler runs in a process group of its
 * own (local/stack.ts), so a terminal's Ctrl-C never reaches it or its
 * workerd: without this they outlive the run, with a core's worth of CPU
 * and gigabytes of memory. Stops run newest first, each on its own, so one
 * that fails does not keep the others from running.
 */
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

export async function stopAll(log: (line: string) => void): Promise<void> {
  while (stops.length > 0) {
    const entry = stops.pop() as Stop;
    try {
      await entry.stop();
    } catch (error) {
      log(`could not stop ${entry.name}: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/** On the first SIGINT or SIGTERM, stops everything and exits; a second one exits at once. */
export function stopOnSignals(log: (line: string) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (stopping) process.exit(code);
    stopping = true;
    log(`${signal}: stopping the stack, the database and the load process (again to exit now)`);
    void stopAll(log).finally(() => process.exit(code));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
