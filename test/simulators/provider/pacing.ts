/**
 * How fast the simulated model "types": a delay before the first piece of
 * text and a delay between pieces. Defaults come from the server options; a
 * request header overrides them for that request (tests send 0).
 */
import type { IncomingHttpHeaders } from "node:http";
import { readNonNegativeIntegerHeader } from "./http.ts";

export const PACING_HEADERS = {
  firstTokenDelayMs: "x-kiln-sim-first-token-ms",
  chunkDelayMs: "x-kiln-sim-chunk-delay-ms",
} as const;

export type Pacing = {
  firstTokenDelayMs: number;
  chunkDelayMs: number;
};

export const DEFAULT_PACING: Pacing = { firstTokenDelayMs: 120, chunkDelayMs: 12 };

export function readPacing(headers: IncomingHttpHeaders, defaults: Pacing): Pacing {
  return {
    firstTokenDelayMs:
      readNonNegativeIntegerHeader(headers, PACING_HEADERS.firstTokenDelayMs) ??
      defaults.firstTokenDelayMs,
    chunkDelayMs:
      readNonNegativeIntegerHeader(headers, PACING_HEADERS.chunkDelayMs) ?? defaults.chunkDelayMs,
  };
}

/** How long a whole answer of `pieceCount` pieces takes to generate. */
export function generationTimeMs(pacing: Pacing, pieceCount: number): number {
  return pacing.firstTokenDelayMs + Math.max(0, pieceCount - 1) * pacing.chunkDelayMs;
}

/**
 * Yields the pieces at the simulated pace and stops early, without throwing,
 * once `signal` aborts (the client went away).
 */
export async function* pace(
  pieces: readonly string[],
  options: { pacing: Pacing; signal: AbortSignal },
): AsyncGenerator<string> {
  await sleep(options.pacing.firstTokenDelayMs, options.signal);

  for (const [index, piece] of pieces.entries()) {
    if (index > 0) {
      await sleep(options.pacing.chunkDelayMs, options.signal);
    }
    if (options.signal.aborted) {
      return;
    }
    yield piece;
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) {
    return Promise.resolve();
  }

  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
