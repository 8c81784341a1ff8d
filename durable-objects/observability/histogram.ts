/**
 * Latency percentiles from fixed buckets. A bucket count per minute is a
 * handful of small rows, where keeping every sample would grow without
 * bound; the price is that a percentile is known to its bucket's upper
 * bound (about ±25% here), which is what a dashboard needs.
 */
import type { Percentiles } from "../../contract/observability.ts";

/** Upper bounds in milliseconds; the last bucket takes everything slower. */
export const LATENCY_BOUNDS_MS = [
  25, 50, 100, 150, 250, 400, 600, 800, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000,
  16_000, 24_000, 32_000, 48_000, 64_000, 120_000, 300_000,
] as const;

/** The index of the bucket a sample falls into. */
export function bucketIndex(valueMs: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => valueMs <= bound);
  return index === -1 ? LATENCY_BOUNDS_MS.length - 1 : index;
}

/** p50/p95/p99 from bucket counts (index → count); null when there are no samples. */
export function percentiles(counts: Map<number, number>): Percentiles | null {
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;

  const at = (quantile: number) => {
    const rank = Math.ceil(quantile * total);
    let seen = 0;
    for (let index = 0; index < LATENCY_BOUNDS_MS.length; index++) {
      seen += counts.get(index) ?? 0;
      if (seen >= rank) return LATENCY_BOUNDS_MS[index] ?? 0;
    }
    return LATENCY_BOUNDS_MS.at(-1) ?? 0;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
