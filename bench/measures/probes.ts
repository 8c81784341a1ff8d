/**
 * Whether this build has a feature a figure needs, asked of the running
 * stack rather than of the source: a repeated request that never reaches
 * the provider simulator was answered by Kiln itself.
 */
import { randomUUID } from "node:crypto";
import type { StreamResult } from "../load/stream.ts";
import type { AnswerShape, KilnExtras } from "../load/targets.ts";
import type { BenchContext } from "../support/figure.ts";

export const TINY_ANSWER: AnswerShape = { pieces: 2, pieceBytes: 16, firstTokenMs: 0, chunkMs: 0 };

export function completionCalls(context: BenchContext): Promise<number> {
  return context.simulator.completionCalls();
}

export function kilnOnce(
  context: BenchContext,
  extras: KilnExtras,
  answer: AnswerShape = TINY_ANSWER,
) {
  return context.load.run<StreamResult>({
    kind: "single",
    address: context.address,
    target: "kiln",
    answer,
    extras,
    timeoutMs: 15_000,
  });
}

/** Sends the same request twice; true when the second never reached the provider. */
export async function answeredWithoutProvider(
  context: BenchContext,
  extras: KilnExtras,
): Promise<{
  present: boolean;
  first: StreamResult;
  second: StreamResult;
}> {
  const first = await kilnOnce(context, extras);
  const before = await completionCalls(context);
  const second = await kilnOnce(context, extras);
  if (first.status === 0 || second.status === 0) {
    // No HTTP answer at all: the stack is down, which says nothing about the feature.
    throw new Error(
      `the stack did not answer the probe (${first.detail ?? second.detail ?? "no detail"})`,
    );
  }
  const present = second.status === 200 && (await completionCalls(context)) === before;
  return { present, first, second };
}

export const freshNonce = () => randomUUID();
