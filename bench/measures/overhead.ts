/**
 * Figures 1 and 2: what Kiln adds to the time to first token, at concurrency
 * 1 and 32, first with Postgres up and then with it stopped.
 */
import type { TtftJob, TtftResult } from "../load/jobs.ts";
import type { AnswerShape } from "../load/targets.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { added, summarize } from "../support/stats.ts";

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
};

async function ttft(
  context: BenchContext,
  options: Pick<TtftJob, "concurrency" | "requests" | "answer"> & {
    timeoutMs?: number;
    maxFailures?: number;
    maxDurationMs?: number;
  },
): Promise<OverheadRun> {
  const result = await context.load.run<TtftResult>({
    kind: "ttft",
    address: context.address,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxFailures: options.maxFailures ?? 20,
    maxDurationMs: options.maxDurationMs ?? 30_000,
    concurrency: options.concurrency,
    requests: options.requests,
    answer: options.answer,
  });
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
  };
}

const OVERHEAD = {
  id: "gateway-overhead",
  title: "Gateway overhead (TTFT through Kiln minus TTFT direct)",
  target: "c=1: added p50 ≤ 3 ms, p99 ≤ 10 ms; c=32: added p99 ≤ 30 ms",
  method:
    "Load process on undici; simulator first token fixed at 20 ms. c=1: Kiln and direct " +
    "requests alternate one at a time. c=32: 32 closed-loop Kiln streams and 32 direct streams " +
    "run at the same time. Added = Kiln percentile − direct percentile.",
};

export async function measureOverhead(
  context: BenchContext,
): Promise<{ figure: Figure; runs: OverheadRun[] }> {
  context.log("overhead: warm-up");
  await ttft(context, { concurrency: 1, requests: 20, answer: ANSWER_C1 });

  context.log("overhead: concurrency 1");
  const c1 = await ttft(context, { concurrency: 1, requests: 200, answer: ANSWER_C1 });
  context.log("overhead: concurrency 32");
  const c32 = await ttft(context, { concurrency: 32, requests: 640, answer: ANSWER_C32 });

  const meets =
    c1.failureCount === 0 &&
    c32.failureCount === 0 &&
    c1.added.p50 <= 3 &&
    c1.added.p99 <= 10 &&
    c32.added.p99 <= 30;
  return {
    runs: [c1, c32],
    figure: {
      ...OVERHEAD,
      status: "measured",
      meetsTarget: meets,
      headline:
        `c=1 added p50 ${c1.added.p50} ms, p99 ${c1.added.p99} ms ` +
        `(Kiln p50 ${c1.kiln.p50} / direct ${c1.direct.p50}); ` +
        `c=32 added p99 ${c32.added.p99} ms (Kiln p99 ${c32.kiln.p99} / direct ${c32.direct.p99})` +
        failureNote([c1, c32]),
      data: { c1, c32 },
    },
  };
}

const STOPPED = {
  id: "postgres-stopped",
  title: "Hot path with Postgres stopped",
  target: "same figures as with Postgres up (the chat path does not wait on Postgres)",
  method:
    "The database process is paused (SIGSTOP: it keeps its port and answers nothing, as a hung " +
    "Postgres does) after a warm-up with it up. A probe of 4 requests (3 s timeout each) runs " +
    "first; if they fail, the full measurement is skipped and the failure is the figure.",
};

export async function measurePostgresStopped(
  context: BenchContext,
  withPostgres: OverheadRun[],
): Promise<Figure> {
  await ttft(context, { concurrency: 1, requests: 5, answer: ANSWER_C1 });
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

    context.log("postgres stopped: concurrency 1 and 32");
    const c1 = await ttft(context, {
      concurrency: 1,
      requests: 100,
      answer: ANSWER_C1,
      timeoutMs: 5_000,
    });
    const c32 = await ttft(context, {
      concurrency: 32,
      requests: 320,
      answer: ANSWER_C32,
      timeoutMs: 5_000,
    });
    const [upC1] = withPostgres;
    const ratio = (stopped: number, up: number | undefined) =>
      up === undefined || up === 0 ? null : Math.round((stopped / up) * 100) / 100;
    const meets =
      c1.failureCount === 0 &&
      c32.failureCount === 0 &&
      c1.added.p50 <= 3 &&
      c1.added.p99 <= 10 &&
      c32.added.p99 <= 30;
    return {
      ...STOPPED,
      status: "measured",
      meetsTarget: meets,
      headline:
        `c=1 added p50 ${c1.added.p50} ms, p99 ${c1.added.p99} ms; c=32 added p99 ${c32.added.p99} ms; ` +
        `Kiln p50 stopped/up ${ratio(c1.kiln.p50, upC1?.kiln.p50)}` +
        failureNote([c1, c32]),
      data: { c1, c32 },
    };
  } finally {
    context.database.resume();
  }
}

function failureNote(runs: OverheadRun[]): string {
  const failures = runs.reduce((sum, run) => sum + run.failureCount, 0);
  return failures === 0 ? "" : `; ${failures} requests failed`;
}
