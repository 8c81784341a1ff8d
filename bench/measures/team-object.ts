/**
 * Figure 3: many streams through one team's TeamGateway at 20 chunks/s each.
 * Every piece carries the simulator's send time; its delay on arrival is
 * measured through Kiln and straight from the simulator at the same number
 * of streams, and Kiln's share is the difference.
 */
import type { ChunkResult } from "../load/jobs.ts";
import type { AnswerShape } from "../load/targets.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { added, round, summarize } from "../support/stats.ts";

export const STREAM_LEVELS = [50, 100, 200, 400] as const;
const TARGET_P99_MS = 50;

/** 20 chunks per second for 10 s; stamped pieces of 40 bytes, about a token or two of code. */
const ANSWER: AnswerShape = {
  pieces: 200,
  pieceBytes: 40,
  firstTokenMs: 0,
  chunkMs: 50,
  stamp: true,
};

const BASE = {
  id: "team-object-load",
  title: "One team's object under load (added per-chunk latency)",
  target: "≥ 200 streams with added p99 ≤ 50 ms",
  method:
    "N streams (ramped over 2 s) in one team, each 200 chunks at 20 chunks/s (10 s). Per chunk: arrival " +
    "time in the load process minus the simulator's send stamp, over the window where ≥ 90% of the " +
    "streams are live (all chunks, and the peak overlap, when they never are). The same N streams are then run straight against the simulator; added = Kiln − direct.",
};

async function level(context: BenchContext, streams: number, target: "kiln" | "direct") {
  return context.load.run<ChunkResult>({
    kind: "chunks",
    address: context.address,
    target,
    streams,
    rampMs: 2_000,
    answer: ANSWER,
    timeoutMs: 60_000,
  });
}

export async function measureTeamObject(context: BenchContext): Promise<Figure> {
  const levels = [];
  for (const streams of STREAM_LEVELS) {
    context.log(`team object: ${streams} streams`);
    const kiln = await level(context, streams, "kiln");
    const direct = await level(context, streams, "direct");
    const kilnSummary = summarize(kiln.latencies);
    const directSummary = summarize(direct.latencies);
    levels.push({
      streams,
      added: added(kilnSummary, directSummary),
      kiln: kilnSummary,
      direct: directSummary,
      kilnChunksPerStreamPerSecond: summarize(kiln.ratePerStream).p50,
      windowMs: round(kiln.windowMs, 0),
      kilnPeakLiveStreams: kiln.peakLive,
      kilnFailures: kiln.failures.length,
      firstFailure: kiln.failures[0],
    });
  }

  const passing = levels.filter(
    (entry) => entry.kilnFailures === 0 && entry.added.p99 <= TARGET_P99_MS,
  );
  const maxPassing = Math.max(0, ...passing.map((entry) => entry.streams));
  const knee = levels.find((entry) => entry.kilnFailures > 0 || entry.added.p99 > TARGET_P99_MS);
  return {
    ...BASE,
    status: "measured",
    meetsTarget:
      maxPassing >= 200 &&
      levels.every((entry) => entry.streams > maxPassing || passing.includes(entry)),
    headline: `${levels
      .map(
        (entry) =>
          `${entry.streams}: p50 ${entry.added.p50} / p99 ${entry.added.p99} ms${entry.kilnFailures ? ` (${entry.kilnFailures} failed)` : ""}`,
      )
      .join("; ")}; knee: ${knee ? `${knee.streams} streams` : "none up to 400"}`,
    data: { levels, knee: knee?.streams ?? null, maxStreamsWithinTarget: maxPassing },
  };
}
