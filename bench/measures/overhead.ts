/**
 * Figures 1 and 2: what Kiln adds to the time to first token, at concurrency
 * 1 and 32; and the same runs with Postgres stopped, beside the same runs
 * with it up made just before, so that the two are compared on the same
 * machine minutes.
 */
import type { TtftJob, TtftResult } from "../load/jobs.ts";
import type { AnswerShape } from "../load/targets.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { added, round, summarize } from "../support/stats.ts";
import { withWorkerdCpu } from "../support/workerd.ts";

/** A fixed simulated latency: first token after 20 ms, then a short answer. */
const ANSWER_C1: AnswerShape = { pieces: 3, pieceBytes: 16, firstTokenMs: 20, chunkMs: 5 };
const ANSWER_C32: AnswerShape = { pieces: 5, pieceBytes: 16, firstTokenMs: 20, chunkMs: 20 };

export type OverheadRun = {
  concurrency: number;
  kiln: ReturnType<typeof summarize>;
  direct: ReturnType<typeof summarize>;
  added: ReturnType<typeof added>;
  failures: TtftResult["failures"];
  failureCount: number;
  wallMs: number;
  /** workerd's CPU over the run per Kiln request, the queued writes that landed meanwhile included. */
  workerdCpuMsPerRequest: number | null;
  /** workerd's CPU over the run's wall time: 1 is its one thread busy throughout. */
  workerdBusyShare: number;
};

async function ttft(
  context: BenchContext,
  options: Pick<TtftJob, "concurrency" | "requests" | "answer"> & {
    timeoutMs?: number;
    maxFailures?: number;
    maxDurationMs?: number;
  },
): Promise<OverheadRun> {
  const spent = await withWorkerdCpu(() =>
    context.load.run<TtftResult>({
      kind: "ttft",
      address: context.address,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxFailures: options.maxFailures ?? 20,
      maxDurationMs: options.maxDurationMs ?? 30_000,
      concurrency: options.concurrency,
      requests: options.requests,
      answer: options.answer,
    }),
  );
  const result = spent.result;
  const kiln = summarize(result.kiln);
  const direct = summarize(result.direct);
  return {
    concurrency: options.concurrency,
    kiln,
    direct,
    added: added(kiln, direct),
    failures: result.failures.slice(0, 5),
    failureCount: result.failures.length,
    wallMs: Math.round(result.wallMs),
    workerdCpuMsPerRequest:
      result.kiln.length > 0 ? round(spent.cpuMs / result.kiln.length, 2) : null,
    workerdBusyShare: round(spent.busyShare, 2),
  };
}

export const OVERHEAD = {
  id: "gateway-overhead",
  title: "Gateway overhead (TTFT through Kiln minus TTFT direct)",
  target: "c=1: added p50 ≤ 3 ms, p99 ≤ 10 ms; c=32: added p99 ≤ 30 ms",
  method:
    "Load process on undici; simulator first token fixed at 20 ms. c=1: Kiln and direct " +
    "requests alternate one at a time. c=32: 32 closed-loop Kiln streams and 32 direct streams " +
    "run at the same time. Added = Kiln percentile − direct percentile. workerd's CPU time " +
    "(/proc) over each run, per Kiln request, and its share of the run's wall time.",
};

/** Stopped / up ratios below this count as the same figure on a shared 2-core machine. */
const SAME_WITHIN = 1.25;

export const STOPPED = {
  id: "postgres-stopped",
  title: "Hot path with Postgres stopped",
  target: "same figures as with Postgres up (the chat path does not wait on Postgres)",
  method:
    "Figure 1's two runs (c=1: 200 alternating requests; c=32: 640) with Postgres up, then the " +
    "database process is paused (SIGSTOP: it keeps its port and answers nothing, as a hung " +
    "Postgres does) and the same two runs again. A probe of 4 requests (3 s timeout each) runs " +
    "first; if they fail, the full measurement is skipped and the failure is the figure. " +
    "Judged the same when nothing fails and Kiln's c=1 p50 and c=32 p99 TTFT stopped are within " +
    `${Math.round((SAME_WITHIN - 1) * 100)} % of the runs with Postgres up (the cores are shared).`,
};

/** Figure 1's runs: c=1 alternating with direct calls, then 32 Kiln and 32 direct streams. */
async function overheadRuns(context: BenchContext, timeoutMs?: number): Promise<OverheadRun[]> {
  context.log("overhead: concurrency 1");
  const c1 = await ttft(context, { concurrency: 1, requests: 200, answer: ANSWER_C1, timeoutMs });
  context.log("overhead: concurrency 32");
  const c32 = await ttft(context, {
    concurrency: 32,
    requests: 640,
    answer: ANSWER_C32,
    timeoutMs,
  });
  return [c1, c32];
}

export async function measureOverhead(context: BenchContext): Promise<Figure> {
  context.log("overhead: warm-up");
  await ttft(context, { concurrency: 1, requests: 20, answer: ANSWER_C1 });
  const [c1, c32] = (await overheadRuns(context)) as [OverheadRun, OverheadRun];

  const meets =
    c1.failureCount === 0 &&
    c32.failureCount === 0 &&
    c1.added.p50 <= 3 &&
    c1.added.p99 <= 10 &&
    c32.added.p99 <= 30;
  return {
    ...OVERHEAD,
    status: "measured",
    meetsTarget: meets,
    headline:
      `c=1 added p50 ${c1.added.p50} ms, p99 ${c1.added.p99} ms ` +
      `(Kiln p50 ${c1.kiln.p50} / direct ${c1.direct.p50}); ` +
      `c=32 added p99 ${c32.added.p99} ms (Kiln p99 ${c32.kiln.p99} / direct ${c32.direct.p99}); ` +
      `workerd CPU per request ${c1.workerdCpuMsPerRequest} ms at c=1, ` +
      `${c32.workerdCpuMsPerRequest} ms at c=32 (thread busy ${Math.round(c32.workerdBusyShare * 100)} %)` +
      failureNote([c1, c32]),
    data: { c1, c32 },
  };
}

export async function measurePostgresStopped(context: BenchContext): Promise<Figure> {
  context.log("postgres stopped: warm-up, then the runs with Postgres up");
  await ttft(context, { concurrency: 1, requests: 20, answer: ANSWER_C1 });
  const [upC1, upC32] = (await overheadRuns(context, 5_000)) as [OverheadRun, OverheadRun];
  context.database.pause();
  try {
    context.log("postgres stopped: probe");
    const probe = await ttft(context, {
      concurrency: 1,
      requests: 4,
      answer: ANSWER_C1,
      timeoutMs: 3_000,
      maxFailures: 4,
    });
    if (probe.failureCount > 0) {
      const first = probe.failures[0];
      return {
        ...STOPPED,
        status: "measured",
        meetsTarget: false,
        headline:
          `${probe.failureCount} of ${probe.failureCount + probe.kiln.n} chat requests failed ` +
          `(${first?.outcome}${first?.status ? ` ${first.status}` : ""}): the chat path waits on Postgres`,
        data: { probe },
      };
    }

    context.log("postgres stopped: the same runs");
    const [c1, c32] = (await overheadRuns(context, 5_000)) as [OverheadRun, OverheadRun];
    const ratio = (stopped: number, up: number) =>
      up === 0 ? Number.POSITIVE_INFINITY : Math.round((stopped / up) * 100) / 100;
    const ratios = {
      c1p50: ratio(c1.kiln.p50, upC1.kiln.p50),
      c32p99: ratio(c32.kiln.p99, upC32.kiln.p99),
    };
    const failures = [upC1, upC32, c1, c32].reduce((sum, run) => sum + run.failureCount, 0);
    return {
      ...STOPPED,
      status: "measured",
      meetsTarget: failures === 0 && ratios.c1p50 <= SAME_WITHIN && ratios.c32p99 <= SAME_WITHIN,
      headline:
        `Kiln TTFT stopped / up: c=1 p50 ${c1.kiln.p50} / ${upC1.kiln.p50} ms (${ratios.c1p50}), ` +
        `c=32 p99 ${c32.kiln.p99} / ${upC32.kiln.p99} ms (${ratios.c32p99}); ` +
        `stopped: c=1 added p50 ${c1.added.p50} ms, p99 ${c1.added.p99} ms, c=32 added p99 ${c32.added.p99} ms` +
        failureNote([upC1, upC32, c1, c32]),
      data: { up: { c1: upC1, c32: upC32 }, stopped: { c1, c32 }, ratios },
    };
  } finally {
    context.database.resume();
  }
}

function failureNote(runs: OverheadRun[]): string {
  const failures = runs.reduce((sum, run) => sum + run.failureCount, 0);
  return failures === 0 ? "" : `; ${failures} requests failed`;
}
