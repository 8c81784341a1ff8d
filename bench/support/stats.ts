/** Percentiles, summaries and a power-law fit: the arithmetic every figure shares. */

export type Summary = {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
};

/** The p-th percentile (0..100) by linear interpolation between closest ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? lowValue;
  return lowValue + (highValue - lowValue) * (rank - low);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.length === 0 ? Number.NaN : total / sorted.length),
  };
}

/** Kiln's summary minus the baseline's, percentile by percentile. */
export function added(kiln: Summary, baseline: Summary): Pick<Summary, "p50" | "p90" | "p99"> {
  return {
    p50: round(kiln.p50 - baseline.p50),
    p90: round(kiln.p90 - baseline.p90),
    p99: round(kiln.p99 - baseline.p99),
  };
}

/**
 * Least-squares fit of log(time) against log(size): time ≈ c · size^exponent.
 * An exponent near 1 is linear growth, near 0 constant, near 2 quadratic.
 */
export function growthExponent(points: readonly { size: number; value: number }[]): {
  exponent: number;
  r2: number;
} {
  const usable = points.filter((point) => point.size > 0 && point.value > 0);
  const xs = usable.map((point) => Math.log(point.size));
  const ys = usable.map((point) => Math.log(point.value));
  const n = xs.length;
  if (n < 2) return { exponent: Number.NaN, r2: Number.NaN };

  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let index = 0; index < n; index += 1) {
    const dx = (xs[index] ?? 0) - meanX;
    const dy = (ys[index] ?? 0) - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }

  const exponent = covariance / varianceX;
  const r2 = varianceY === 0 ? 1 : (covariance * covariance) / (varianceX * varianceY);
  return { exponent: round(exponent, 3), r2: round(r2, 3) };
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
