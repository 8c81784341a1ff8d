/**
 * Starts (and, after a crash, restarts) the local stack the benchmark runs
 * against, and signs the benchmark's user in. The stack's own processes are
 * workerd through wrangler and the provider simulator in this process; the
 * database is a process of its own, started once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Stack, startStack } from "../../local/stack.ts";
import { freePort } from "../../test/support/ports.ts";
import type { DatabaseProcess } from "./children.ts";
import type { BenchContext } from "./figure.ts";
import { findUserWorker, type UserWorker } from "./workerd.ts";

export type Booted = {
  stack: Stack;
  userWorker: UserWorker;
  token: string;
  teamId: string;
  stop(): Promise<void>;
};

export async function bootStack(options: {
  database: DatabaseProcess;
  log: (line: string) => void;
}): Promise<Booted> {
  const stateDir = await mkdtemp(join(tmpdir(), "kiln-bench-"));
  const stack = await startStack({
    port: await freePort(),
    stateDir,
    databaseUrl: options.database.url,
    // The SPA's counter streams at this pace; every other figure sets its own in the prompt.
    simulatorDelays: { firstTokenDelayMs: 20, chunkDelayMs: 2 },
    log: (line) => {
      if (!line.includes("chat.settled") && !line.includes("Network connection lost")) {
        options.log(`stack: ${line}`);
      }
    },
  });
  const userWorker = await findUserWorker();
  options.log(`user worker: workerd ${userWorker.pid} at ${userWorker.entryUrl}`);

  // Straight to the user worker: wrangler's dev proxy is a hop production does not have.
  const signIn = await fetch(`${userWorker.entryUrl}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com" }),
  });
  if (!signIn.ok) throw new Error(`dev sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const session = (await signIn.json()) as { access_token: string; team_id: string };

  return {
    stack,
    userWorker,
    token: session.access_token,
    teamId: session.team_id,
    async stop() {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Points the context at a (re)booted stack. */
export function pointAtStack(context: BenchContext, booted: Booted): void {
  context.stack = booted.stack;
  context.teamId = booted.teamId;
  context.address = {
    kilnUrl: booted.userWorker.entryUrl,
    simulatorUrl: booted.stack.simulator.url,
    token: booted.token,
  };
}

export async function isHealthy(booted: Booted): Promise<boolean> {
  try {
    const response = await fetch(`${booted.userWorker.entryUrl}/api/health`, {
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    return true;
  } catch {
    return false;
  }
}
