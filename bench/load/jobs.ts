/**
 * What the load process can be asked to do. Each job returns raw samples;
 * the orchestrator summarises them, so the load process stays small and busy
 * only with sending and reading.
 */

import { openStream, readStamp, type StreamResult, type Target, wallClockMs } from "./stream.ts";
import {
  type AnswerShape,
  directTarget,
  type KilnExtras,
  kilnTarget,
  type StackAddress,
} from "./targets.ts";

export type Failure = {
  target: Target["kind"];
  outcome: StreamResult["outcome"];
  status: number;
  detail?: string;
};

export type TtftJob = {
  kind: "ttft";
  address: StackAddress;
  answer: AnswerShape;
  /** Streams in flight per target at once. */
  concurrency: number;
  /** Requests per target, at most. */
  requests: number;
  /** Stop starting new requests after this long (a slow build must not stretch the run). */
  maxDurationMs: number;
  timeoutMs: number;
  /** Stop early after this many failures (a dead path gives one answer, not hundreds). */
  maxFailures: number;
};

export type TtftResult = { kiln: number[]; direct: number[]; failures: Failure[]; wallMs: number };

/**
 * Time to first token through Kiln and straight from the simulator. At
 * concurrency 1 the two alternate one request at a time; above that, each
 * target gets its own `concurrency` closed-loop workers running at the same
 * time, so both see the same machine.
 */
export async function runTtft(job: TtftJob): Promise<TtftResult> {
  const result: TtftResult = { kiln: [], direct: [], failures: [], wallMs: 0 };
  const startedAt = performance.now();
  const once = async (kind: Target["kind"]) => {
    const target =
      kind === "kiln" ? kilnTarget(job.address, job.answer) : directTarget(job.address, job.answer);
    const outcome = await openStream(target, { timeoutMs: job.timeoutMs });
    if (outcome.outcome === "done" && outcome.ttftMs !== undefined) {
      result[kind].push(outcome.ttftMs);
    } else {
      result.failures.push({
        target: kind,
        outcome: outcome.outcome,
        status: outcome.status,
        detail: outcome.detail,
      });
    }
  };
  const failedOut = () =>
    result.failures.length >= job.maxFailures || performance.now() - startedAt > job.maxDurationMs;

  if (job.concurrency === 1) {
    for (let index = 0; index < job.requests && !failedOut(); index += 1) {
      // Alternate which goes first, so neither always follows the other.
      const order: Target["kind"][] = index % 2 === 0 ? ["kiln", "direct"] : ["direct", "kiln"];
      for (const kind of order) await once(kind);
    }
  } else {
    const perWorker = Math.ceil(job.requests / job.concurrency);
    const worker = async (kind: Target["kind"]) => {
      for (let index = 0; index < perWorker && !failedOut(); index += 1) await once(kind);
    };
    const workers: Promise<void>[] = [];
    for (let index = 0; index < job.concurrency; index += 1) {
      workers.push(worker("kiln"), worker("direct"));
    }
    await Promise.all(workers);
  }

  result.wallMs = performance.now() - startedAt;
  return result;
}

export type ChunkJob = {
  kind: "chunks";
  address: StackAddress;
  target: Target["kind"];
  streams: number;
  /** Streams start evenly spread over this long. */
  rampMs: number;
  answer: AnswerShape;
  timeoutMs: number;
};

export type ChunkResult = {
  /** Receive time minus the simulator's send stamp, for chunks in the window where every stream was live. */
  latencies: number[];
  /** Chunks per second each stream received over its life. */
  ratePerStream: number[];
  /** How long ≥ 90% of the streams were live at once; 0 when they never were. */
  windowMs: number;
  /** The most streams live at the same moment. */
  peakLive: number;
  /** Stamped chunks received over the whole run, window or not. */
  chunks: number;
  failures: Failure[];
};

/** Many long streams at once, recording how late each stamped chunk arrives. */
export async function runChunks(job: ChunkJob): Promise<ChunkResult> {
  const samples: { at: number; latency: number }[][] = [];
  const failures: Failure[] = [];
  const ratePerStream: number[] = [];

  const one = async (index: number) => {
    await new Promise((resolve) => setTimeout(resolve, (job.rampMs * index) / job.streams));
    const mine: { at: number; latency: number }[] = [];
    samples.push(mine);
    const target =
      job.target === "kiln"
        ? kilnTarget(job.address, job.answer)
        : directTarget(job.address, job.answer);
    const outcome = await openStream(target, {
      timeoutMs: job.timeoutMs,
      onText: (text) => {
        const at = wallClockMs();
        const stamp = readStamp(text);
        if (stamp !== undefined) mine.push({ at, latency: at - stamp });
      },
    });
    if (outcome.outcome !== "done") {
      failures.push({
        target: job.target,
        outcome: outcome.outcome,
        status: outcome.status,
        detail: outcome.detail,
      });
    }
    const first = mine[0];
    const last = mine.at(-1);
    if (first && last && last.at > first.at)
      ratePerStream.push(((mine.length - 1) * 1000) / (last.at - first.at));
  };
  await Promise.all(Array.from({ length: job.streams }, (_, index) => one(index)));

  // The steady window: while at least 90% of the streams are live. Where
  // streams start too slowly to overlap that much, every chunk counts and the
  // peak overlap says how many were really live at once.
  const live = samples.filter((stream) => stream.length > 0);
  const edges = live
    .flatMap((stream) => [
      { at: stream[0]?.at ?? 0, change: 1 },
      { at: stream.at(-1)?.at ?? 0, change: -1 },
    ])
    .sort((a, b) => a.at - b.at || b.change - a.change);
  let current = 0;
  let peakLive = 0;
  let windowStart = Number.NaN;
  let windowEnd = Number.NaN;
  for (const edge of edges) {
    current += edge.change;
    peakLive = Math.max(peakLive, current);
    if (current >= 0.9 * job.streams && Number.isNaN(windowStart)) windowStart = edge.at;
    if (current < 0.9 * job.streams && !Number.isNaN(windowStart) && Number.isNaN(windowEnd)) {
      windowEnd = edge.at;
    }
  }
  const steady = !Number.isNaN(windowStart) && !Number.isNaN(windowEnd);
  const latencies = live.flatMap((stream) =>
    stream
      .filter((sample) => !steady || (sample.at >= windowStart && sample.at <= windowEnd))
      .map((sample) => sample.latency),
  );
  return {
    latencies,
    ratePerStream,
    windowMs: steady ? windowEnd - windowStart : 0,
    peakLive,
    chunks: samples.reduce((sum, stream) => sum + stream.length, 0),
    failures,
  };
}

export type SingleJob = {
  kind: "single";
  address: StackAddress;
  target: Target["kind"];
  answer: AnswerShape;
  extras?: KilnExtras;
  timeoutMs: number;
};

/** One stream, read to the end without keeping its text. */
export async function runSingle(job: SingleJob): Promise<StreamResult> {
  const target =
    job.target === "kiln"
      ? kilnTarget(job.address, job.answer, job.extras)
      : directTarget(job.address, job.answer);
  return openStream(target, { timeoutMs: job.timeoutMs });
}

export type RepeatJob = {
  kind: "repeat";
  address: StackAddress;
  answer: AnswerShape;
  extras: KilnExtras;
  /** A new nonce per request: the same key with a different body each time. */
  varyBody: boolean;
  concurrency: number;
  durationMs: number;
  timeoutMs: number;
};

export type RepeatResult = {
  byStatus: Record<string, number>;
  latencies: number[];
  wallMs: number;
};

/** The same Kiln request again and again from closed-loop workers, for a fixed time. */
export async function runRepeat(job: RepeatJob): Promise<RepeatResult> {
  const result: RepeatResult = { byStatus: {}, latencies: [], wallMs: 0 };
  const startedAt = performance.now();
  const worker = async () => {
    while (performance.now() - startedAt < job.durationMs) {
      const extras = job.varyBody ? { ...job.extras, nonce: undefined } : job.extras;
      const outcome = await openStream(kilnTarget(job.address, job.answer, extras), {
        timeoutMs: job.timeoutMs,
      });
      const status = outcome.status === 0 ? outcome.outcome : String(outcome.status);
      result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
      result.latencies.push(outcome.totalMs);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  result.wallMs = performance.now() - startedAt;
  return result;
}

export type LoadJob = TtftJob | ChunkJob | SingleJob | RepeatJob;

export function runJob(job: LoadJob): Promise<unknown> {
  switch (job.kind) {
    case "ttft":
      return runTtft(job);
    case "chunks":
      return runChunks(job);
    case "single":
      return runSingle(job);
    case "repeat":
      return runRepeat(job);
  }
}
