/**
 * Figure 4: workerd's resident memory while one 20 MB answer streams
 * through Kiln. Streaming means memory stays flat; buffering the answer
 * shows up as growth of at least its size.
 */
import type { StreamResult } from "../load/stream.ts";
import type { AnswerShape } from "../load/targets.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { round } from "../support/stats.ts";
import { findWorkerdPids, sampleRss } from "../support/workerd.ts";

const PIECE_BYTES = 16 * 1024;
const ANSWER_20MB: AnswerShape = {
  pieces: 1_280,
  pieceBytes: PIECE_BYTES,
  firstTokenMs: 0,
  chunkMs: 0,
};
const ANSWER_1MB: AnswerShape = {
  pieces: 64,
  pieceBytes: PIECE_BYTES,
  firstTokenMs: 0,
  chunkMs: 0,
};
/** "A few MB" from the issue, made a number. */
const ALLOWED_GROWTH_MB = 5;

export const BASE = {
  id: "memory-20mb",
  title: "Memory while streaming a 20 MB answer",
  target: `workerd grows by no more than a few MB (taken as ≤ ${ALLOWED_GROWTH_MB} MB)`,
  method:
    "Summed VmRSS of the stack's workerd processes, sampled every 20 ms from /proc, from just " +
    "before the request until 2 s after the stream ends (the answer is saved then). A 1 MB answer " +
    "streams first as a warm-up. The load process counts the bytes and keeps none.",
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureMemory(context: BenchContext): Promise<Figure> {
  const pids = findWorkerdPids();
  if (pids.length === 0) throw new Error("no workerd process found under this process");

  const stream = (answer: AnswerShape, target: "kiln" | "direct" = "kiln") =>
    context.load.run<StreamResult>({
      kind: "single",
      address: context.address,
      target,
      answer,
      timeoutMs: 120_000,
    });
  await stream(ANSWER_1MB);
  await sleep(1_000);

  const sampler = sampleRss(pids);
  const kiln = await stream(ANSWER_20MB);
  await sleep(2_000);
  const rss = sampler.stop();
  const direct = await stream(ANSWER_20MB, "direct");

  const growthMb = round(rss.peakMb - rss.baselineMb, 1);
  const mbPerSecond = (result: StreamResult) =>
    round(result.textBytes / 1_048_576 / (result.totalMs / 1000), 1);
  const complete = kiln.outcome === "done" && kiln.textBytes === 1_280 * PIECE_BYTES;
  return {
    ...BASE,
    status: "measured",
    meetsTarget: complete && growthMb <= ALLOWED_GROWTH_MB,
    headline:
      `peak RSS ${round(rss.peakMb, 1)} MB, growth ${growthMb} MB over ${round(rss.baselineMb, 1)} MB; ` +
      `${mbPerSecond(kiln)} MB/s through Kiln vs ${mbPerSecond(direct)} MB/s direct` +
      (complete ? "" : `; stream incomplete (${kiln.outcome}, ${kiln.textBytes} bytes)`),
    data: {
      workerdPids: pids,
      baselineMb: round(rss.baselineMb, 1),
      peakMb: round(rss.peakMb, 1),
      afterMb: round(rss.endMb, 1),
      growthMb,
      samples: rss.samples,
      kiln: {
        outcome: kiln.outcome,
        bytes: kiln.textBytes,
        totalMs: round(kiln.totalMs, 0),
        mbPerSecond: mbPerSecond(kiln),
      },
      direct: {
        bytes: direct.textBytes,
        totalMs: round(direct.totalMs, 0),
        mbPerSecond: mbPerSecond(direct),
      },
    },
  };
}
