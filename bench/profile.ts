/**
 * `npm run bench:profile`: a CPU profile of the Worker and its team objects
 * (one isolate, `core:user:kiln`) while chat requests run one at a time, the
 * way figure 1 sends them. It boots the benchmark's stack, connects to
 * workerd's own inspector (not wrangler's DevTools proxy, which the stack
 * runs without), and writes bench/results/<out>.cpuprofile for Chrome
 * DevTools, then prints the functions with the most time, self and total.
 *
 *   npm run bench:profile -- --kind new --requests 300
 *
 * `--kind new` sends new prompts (an answer from the simulator each),
 * `cached` one prompt again and again (prompt-cache replays), `both`
 * alternates; `quota` runs figure 5's quota decisions in the team object
 * (reserve and settle, 16 loops for 5 s) instead of chat requests, and
 * `streams` one level of figure 3 (`--requests` streams at once, 20 chunks/s
 * each, through one team's object). The profile counts this isolate only: miniflare's KV, queue
 * and rate-limit services run in isolates of their own.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { projectRoot } from "../local/stack.ts";
import { freshNonce, kilnOnce } from "./measures/probes.ts";
import { level as streamsLevel } from "./measures/team-object.ts";
import { startBench } from "./support/boot.ts";
import { interrupted, stopAll, stopEverythingOnSignals } from "./support/cleanup.ts";
import { summarize } from "./support/stats.ts";

const USAGE = `Usage: npm run bench:profile [-- --kind new|cached|both|quota|streams] [--requests N] [--out name]`;

function readFlags() {
  try {
    const { values } = parseArgs({
      options: {
        kind: { type: "string", default: "both" },
        requests: { type: "string", default: "300" },
        out: { type: "string", default: "profile" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    const requests = Number(values.requests);
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!["new", "cached", "both", "quota", "streams"].includes(values.kind))
      throw new Error("--kind: new, cached, both, quota or streams");
    if (!Number.isInteger(requests) || requests < 1) throw new Error("--requests: a whole number");
    if (!/^[\w-]+$/.test(values.out)) throw new Error("--out: a plain name");
    return { kind: values.kind, requests, out: values.out };
  } catch (error) {
    process.stderr.write(`npm run bench:profile: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** A DevTools protocol session. workerd's replies to Profiler.* carry the method too. */
async function inspect(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  return {
    send(method: string, params: object = {}): Promise<unknown> {
      const id = ++nextId;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

/** Self and total time per function, as shares of the time the isolate was not idle. */
function topFunctions(profile: Profile, count: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const name = (node: ProfileNode) =>
    `${node.callFrame.functionName || "(anonymous)"}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ""}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const [id, time] of selfTime) {
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === "(idle)") continue;
    busy += time;
    self.set(name(node), (self.get(name(node)) ?? 0) + time);
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const label = name(byId.get(current) as ProfileNode);
      if (seen.has(label) || label === "(root)") continue;
      seen.add(label);
      total.set(label, (total.get(label) ?? 0) + time);
    }
  }
  const share = (time: number) => `${((time / busy) * 100).toFixed(1).padStart(5)} %`;
  const rank = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  return [
    `busy ${(busy / 1000).toFixed(0)} ms`,
    "self:",
    ...rank(self).map(([label, time]) => `  ${share(time)}  ${label}`),
    "total (self and what it called):",
    ...rank(total).map(([label, time]) => `  ${share(time)}  ${label}`),
  ];
}

type Session = Awaited<ReturnType<typeof inspect>>;
type Context = Awaited<ReturnType<typeof startBench>>["context"];

async function record(session: Session, work: () => Promise<string[]>) {
  await session.send("Runtime.enable");
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 100 });
  await session.send("Profiler.start");
  const lines = await work();
  const { profile } = (await session.send("Profiler.stop")) as { profile: Profile };
  return { profile, lines };
}

/** Chat requests one at a time, as figure 1 sends them. */
async function profileChats(context: Context, session: Session) {
  const cachedNonce = freshNonce();
  const once = async (kind: "new" | "cached") =>
    kilnOnce(context, { nonce: kind === "cached" ? cachedNonce : freshNonce() });
  const kinds: ("new" | "cached")[] =
    flags.kind === "both" ? ["new", "cached"] : [flags.kind as "new"];
  log("warm-up");
  for (let index = 0; index < 30; index += 1) for (const kind of kinds) await once(kind);

  return record(session, async () => {
    log(`profiling ${flags.requests} requests of each kind: ${kinds.join(", ")}`);
    const times = { new: [] as number[], cached: [] as number[] };
    for (let index = 0; index < flags.requests; index += 1) {
      for (const kind of kinds) {
        const result = await once(kind);
        if (result.ttfbMs !== undefined) times[kind].push(result.ttfbMs);
      }
    }
    return kinds.map((kind) => `${kind}: TTFB ${JSON.stringify(summarize(times[kind]))}`);
  });
}

/** Figure 5's quota decisions, driven inside workerd by the dev-only route. */
async function profileQuota(context: Context, session: Session) {
  const decide = async () => {
    const response = await fetch(`${context.address.kilnUrl}/api/dev/bench/admission`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        teamId: context.teamId,
        userId: `profile-${freshNonce()}`,
        concurrency: 16,
        durationMs: 5_000,
        decision: { kind: "quota", model: "kiln-simulated" },
      }),
    });
    if (!response.ok) throw new Error(`admission run failed: ${response.status}`);
    return ((await response.json()) as { perSecond: number }).perSecond;
  };
  log("warm-up");
  await decide();
  return record(session, async () => {
    log("profiling quota decisions for 5 s");
    return [`quota: ${Math.round(await decide())} decisions/s`];
  });
}

/** One level of figure 3: `--requests` streams through one team's object. */
async function profileStreams(context: Context, session: Session) {
  log("warm-up");
  await streamsLevel(context, 20, "kiln");
  return record(session, async () => {
    log(`profiling ${flags.requests} streams at 20 chunks/s`);
    const result = await streamsLevel(context, flags.requests, "kiln");
    return [
      `streams: per-chunk delay ${JSON.stringify(summarize(result.latencies))}, ${result.failures.length} failed`,
    ];
  });
}

const flags = readFlags();
const log = (line: string) => {
  process.stdout.write(`[profile] ${line}\n`);
};
await stopEverythingOnSignals(log);
try {
  const { booted, context } = await startBench(log);

  const port = booted.userWorker.inspectorPort;
  if (!port) throw new Error("the user worker has no inspector port");
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    id: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((entry) => entry.id === "core:user:kiln");
  if (!target) throw new Error("no core:user:kiln target on the inspector");
  const session = await inspect(target.webSocketDebuggerUrl);

  const { profile, lines } =
    flags.kind === "quota"
      ? await profileQuota(context, session)
      : flags.kind === "streams"
        ? await profileStreams(context, session)
        : await profileChats(context, session);
  session.close();

  const path = join(projectRoot, "bench", "results", `${flags.out}.cpuprofile`);
  await writeFile(path, JSON.stringify(profile));
  for (const line of lines) log(line);
  for (const line of topFunctions(profile, 25)) process.stdout.write(`${line}\n`);
  log(`wrote ${path} (open it in Chrome DevTools, Performance)`);
} catch (error) {
  if (!interrupted()) {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  }
}
if (interrupted()) await new Promise(() => {});
await stopAll(log);
process.exit(process.exitCode ?? 0);
