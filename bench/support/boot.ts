/**
 * Starts (and, after a crash, restarts) the local stack the benchmark runs
 * against, and signs the benchmark's user in. The stack's own process is
 * workerd through wrangler; the database and the provider simulator are
 * processes of their own, started once and kept across restarts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { type Stack, startStack } from "../../local/stack.ts";
import { freePort } from "../../test/support/ports.ts";
import {
  type DatabaseProcess,
  type SimulatorProcess,
  startDatabaseProcess,
  startLoadProcess,
  startSimulatorProcess,
} from "./children.ts";
import { track } from "./cleanup.ts";
import type { BenchContext } from "./figure.ts";
import { fetchUntilNot503 } from "./http.ts";
import { findUserWorker, type UserWorker } from "./workerd.ts";

export type Booted = {
  stack: Stack;
  userWorker: UserWorker;
  token: string;
  teamId: string;
  stop(): Promise<void>;
};

/**
 * Far above what the benchmark sends, so that no figure measures a refusal:
 * the edge limits (per user, team and IP, in the Workers binding) and the
 * team's own quotas (the enterprise plan, moved to its ceiling).
 */
const BENCH_EDGE_LIMITS = {
  user: { limit: 1_000_000, windowSeconds: 60 },
  team: { limit: 1_000_000, windowSeconds: 60 },
  ip: { limit: 1_000_000, windowSeconds: 60 },
};
const BENCH_TEAM_LIMITS = {
  requestsPerMinute: 60_000,
  concurrentGenerations: 1_000,
  tokensPerDay: 1_000_000_000,
  dollarsPerMonthMicroUsd: 100_000_000_000,
};
/** A platform operator in development (worker/config.ts), who may change a team's plan. */
export const OPERATOR_EMAIL = "ops@example.com";

export async function bootStack(options: {
  database: DatabaseProcess;
  simulator: SimulatorProcess;
  log: (line: string) => void;
}): Promise<Booted> {
  const stateDir = await mkdtemp(join(process.env.KILN_BENCH_STATE ?? tmpdir(), "kiln-bench-"));
  const removeState = track("the stack's state folder", () =>
    rm(stateDir, { recursive: true, force: true }),
  );
  const stack = await startStack({
    port: await freePort(),
    stateDir,
    databaseUrl: options.database.url,
    edgeLimits: BENCH_EDGE_LIMITS,
    // Nothing of the dev harness that production lacks: its inspector leaked sockets under load.
    devtools: false,
    // wrangler source-maps every log line in its Node process, a core's worth on 2 cores at this
    // load; Workers Logs cost the Worker nothing like it. The lines are not even formatted.
    vars: { KILN_LOG_LEVEL: "warn" },
    simulatorUrl: options.simulator.url,
    log: (line) => {
      if (!line.includes("chat.settled") && !line.includes("Network connection lost")) {
        options.log(`stack: ${line}`);
      }
    },
  });
  const stopStack = track("the stack (wrangler and workerd)", () => stack.stop());
  const stop = async () => {
    await stopStack();
    await removeState();
  };
  try {
    return await prepare(stack, stop, options.log);
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The database, the stack and the load process a benchmark process measures
 * with, each stopped with the run (cleanup.ts), and the context pointed at them.
 */
export async function startBench(log: (line: string) => void) {
  const database = await startDatabaseProcess();
  track("the database process", () => database.stop());
  const simulator = await startSimulatorProcess();
  track("the provider simulator process", () => simulator.stop());
  const booted = await bootStack({ database, simulator, log });
  const load = await startLoadProcess();
  track("the load process", () => load.stop());
  const context = { load, database, simulator, log } as BenchContext;
  pointAtStack(context, booted);
  return { database, simulator, booted, load, context };
}

/** Finds the user worker and signs the benchmark's user in, with its team on the enterprise plan. */
async function prepare(
  stack: Stack,
  stop: () => Promise<void>,
  log: (line: string) => void,
): Promise<Booted> {
  const userWorker = await findUserWorker();
  log(`user worker: workerd ${userWorker.pid} at ${userWorker.entryUrl}`);

  // Straight to the user worker: wrangler's dev proxy is a hop production does not have.
  const session = await signIn(userWorker.entryUrl, "bench@example.com");
  const operator = await signIn(userWorker.entryUrl, OPERATOR_EMAIL);
  await call(userWorker.entryUrl, `/api/ops/teams/${session.team_id}/plan`, {
    token: operator.access_token,
    body: { plan: "enterprise" },
  });
  await call(userWorker.entryUrl, "/api/limits", {
    token: session.access_token,
    teamId: session.team_id,
    body: BENCH_TEAM_LIMITS,
  });

  return {
    stack,
    userWorker,
    token: session.access_token,
    teamId: session.team_id,
    stop,
  };
}

export async function signIn(baseUrl: string, email: string) {
  const response = await fetch(`${baseUrl}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  if (!response.ok)
    throw new Error(`dev sign-in failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { access_token: string; team_id: string };
}

/** A PUT of the benchmark's set-up (plans, limits), which writes Postgres. */
export async function call(
  baseUrl: string,
  path: string,
  options: { token: string; teamId?: string; body: unknown },
) {
  const response = await fetchUntilNot503(`${baseUrl}${path}`, {
    method: "PUT",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${options.token}`,
      ...(options.teamId ? { "x-team-id": options.teamId } : {}),
    },
    body: JSON.stringify(options.body),
  });
  if (!response.ok) {
    throw new Error(`PUT ${path} failed: ${response.status} ${await response.text()}`);
  }
  await response.arrayBuffer();
}

/** Points the context at a (re)booted stack. */
export function pointAtStack(context: BenchContext, booted: Booted): void {
  context.stack = booted.stack;
  context.teamId = booted.teamId;
  context.address = {
    kilnUrl: booted.userWorker.entryUrl,
    simulatorUrl: booted.stack.simulatorUrl,
    token: booted.token,
    teamId: booted.teamId,
  };
}

/**
 * Waits until the turns earlier figures left on the write queue have landed
 * and the database answers promptly: the queue's consumer and the embedded
 * database share the machine's two cores with workerd, where in production
 * both run elsewhere, so a figure measured while they work measures them
 * too. Counts the saved rows twice a second until two counts agree, then
 * asks `GET /api/me` (a Postgres read) until one answers within QUIET_MS,
 * for up to QUIET_WAIT_MS in all (the run must stay under 10 minutes);
 * returns how long it waited.
 */
export async function waitForQuietDatabase(booted: Booted, databaseUrl: string): Promise<number> {
  const started = Date.now();
  const left = () => QUIET_WAIT_MS - (Date.now() - started);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    let before = -1;
    while (left() > 0) {
      const [row] = await sql<{ saved: number }[]>`
        select (select count(*) from public.messages)::int
          + (select count(*) from public.request_log)::int as saved`;
      if (row?.saved === before) break;
      before = row?.saved ?? -1;
      await sleep(COUNT_EVERY_MS);
    }
  } catch {
    // A database that cannot be counted is left to the read below.
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
  while (left() > 0) {
    const asked = Date.now();
    const response = await fetch(`${booted.userWorker.entryUrl}/api/me`, {
      headers: { authorization: `Bearer ${booted.token}` },
      signal: AbortSignal.timeout(Math.max(left(), 1)),
    }).catch(() => undefined);
    await response?.arrayBuffer().catch(() => undefined);
    if (response?.ok && Date.now() - asked <= QUIET_MS) break;
    await sleep(1_000);
  }
  return Date.now() - started;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const COUNT_EVERY_MS = 500;
const QUIET_MS = 300;
const QUIET_WAIT_MS = 30_000;

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
