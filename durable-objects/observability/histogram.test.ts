import { describe, expect, it } from "vitest";
import { bucketIndex, LATENCY_BOUNDS_MS, percentiles } from "./histogram.ts";

function countsOf(samples: number[]) {
  const counts = new Map<number, number>();
  for (const sample of samples) {
    const index = bucketIndex(sample);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

describe("latency histogram", () => {
  it.each([
    [0, 25],
    [25, 25],
    [26, 50],
    [999, 1_000],
    [10_000_000, 300_000],
  ])("puts %d ms in the bucket up to %d ms", (sample, bound) => {
    expect(LATENCY_BOUNDS_MS[bucketIndex(sample)]).toBe(bound);
  });

  it("reads p50, p95 and p99 as bucket upper bounds", () => {
    // 90 fast answers, 8 slow ones, 2 very slow ones.
    const samples = [...Array(90).fill(80), ...Array(8).fill(1_400), 9_000, 9_000];
    expect(percentiles(countsOf(samples))).toEqual({ p50: 100, p95: 1_500, p99: 12_000 });
  });

  it("has no percentiles without samples", () => {
    expect(percentiles(new Map())).toBeNull();
  });
});
