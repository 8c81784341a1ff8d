/**
 * Figure 7: how prompt building and truncation grow with attached code
 * (1 KB → 1 MB) and history (10 → 1,000 messages): the curve and its fitted
 * exponent, in a Node process of its own, and the same growth end to end
 * through Kiln for attachments.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { StreamResult } from "../load/stream.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { growthExponent, round, summarize } from "../support/stats.ts";

type Point = { size: number; buildMs: number; buildAndSerialiseMs: number };

export const BASE = {
  id: "prompt-growth",
  title: "Prompt build and truncation growth",
  target:
    "grows no worse than linearly (fitted exponent ≤ 1.1) from 1 KB to 1 MB and 10 to 1,000 messages",
  method:
    "buildMessages from durable-objects/prompt.ts, then JSON.stringify of its messages (where the " +
    "prompt is materialised), in a fresh Node process: fastest batch of calls over 150 ms per point, fitted as time ≈ c·size^k by least squares on log-log. End to " +
    "end: median TTFT through Kiln with the attachments sent in the request (in pieces of 200 KB, the " +
    "per-attachment limit), minus the median without.",
};

const MAX_EXPONENT = 1.1;
const E2E_BYTES = [1_024, 16_384, 262_144, 1_048_576];
const ATTACHMENT_LIMIT = 200_000;

async function pureCurve(): Promise<{ attachments: Point[]; history: Point[] }> {
  const script = fileURLToPath(new URL("./prompt-growth-process.ts", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as { attachments: Point[]; history: Point[] };
}

function attachmentsOf(bytes: number) {
  const content = "export const answer = compute(42);\n"
    .repeat(Math.ceil(bytes / 35))
    .slice(0, bytes);
  const pieces = [];
  for (let start = 0; start < content.length; start += ATTACHMENT_LIMIT) {
    pieces.push({
      path: `src/part-${pieces.length}.ts`,
      content: content.slice(start, start + ATTACHMENT_LIMIT),
    });
  }
  return pieces;
}

async function endToEnd(context: BenchContext) {
  const answer = { pieces: 2, pieceBytes: 16, firstTokenMs: 20, chunkMs: 5 };
  const medianTtft = async (bytes: number) => {
    const ttfts: number[] = [];
    for (let index = 0; index < 7; index += 1) {
      const result = await context.load.run<StreamResult>({
        kind: "single",
        address: context.address,
        target: "kiln",
        answer,
        extras: bytes > 0 ? { attachments: attachmentsOf(bytes) } : {},
        timeoutMs: 30_000,
      });
      if (result.outcome !== "done" || result.ttftMs === undefined) {
        throw new Error(
          `attachment of ${bytes} bytes: ${result.outcome} ${result.status} ${result.detail ?? ""}`,
        );
      }
      ttfts.push(result.ttftMs);
    }
    return summarize(ttfts).p50;
  };

  const baseline = await medianTtft(0);
  const points = [];
  for (const size of E2E_BYTES) {
    points.push({ size, addedMs: round((await medianTtft(size)) - baseline) });
  }
  return { baselineTtftMs: baseline, points };
}

export async function measureGrowth(context: BenchContext): Promise<Figure> {
  context.log("growth: prompt building in its own process");
  const pure = await pureCurve();
  const fitCurve = (points: Point[], key: "buildMs" | "buildAndSerialiseMs") =>
    growthExponent(points.map((point) => ({ size: point.size, value: point[key] })));
  // Building alone is near-constant (V8 joins and slices strings lazily); the
  // prompt is materialised when serialised for the provider, so that is the figure.
  const attachmentFit = fitCurve(pure.attachments, "buildAndSerialiseMs");
  const historyFit = fitCurve(pure.history, "buildAndSerialiseMs");

  context.log("growth: attachments end to end");
  const e2e = await endToEnd(context);
  const e2eFit = growthExponent(
    e2e.points.map((point) => ({ size: point.size, value: point.addedMs })),
  );

  const at = (points: Point[], size: number) =>
    round(points.find((point) => point.size === size)?.buildAndSerialiseMs ?? Number.NaN, 3);
  return {
    ...BASE,
    status: "measured",
    meetsTarget: attachmentFit.exponent <= MAX_EXPONENT && historyFit.exponent <= MAX_EXPONENT,
    headline:
      `attachments k=${attachmentFit.exponent} (${at(pure.attachments, 1_024)} → ${at(pure.attachments, 1_048_576)} ms); ` +
      `history k=${historyFit.exponent} (${at(pure.history, 10)} → ${at(pure.history, 1_000)} ms); ` +
      `end to end +${e2e.points.at(-1)?.addedMs} ms TTFT at 1 MB (k=${e2eFit.exponent})`,
    data: {
      attachments: {
        points: pure.attachments,
        fit: attachmentFit,
        fitBuildOnly: fitCurve(pure.attachments, "buildMs"),
      },
      history: {
        points: pure.history,
        fit: historyFit,
        fitBuildOnly: fitCurve(pure.history, "buildMs"),
      },
      endToEnd: { ...e2e, fit: e2eFit },
    },
  };
}
