/** Display helpers for figures: rates as percentages, money from micro-dollars. */
export function percent(rate: number | null): string {
  if (rate === null) return "–";
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`;
}

/** Cents, or two significant digits below a cent (an axis of $0.0001 ticks reads "$0.0001" thrice). */
export function dollars(microUsd: number): string {
  const value = Math.round(microUsd) / 1_000_000;
  return value > 0 && value < 0.01 ? `$${Number(value.toPrecision(2))}` : `$${value.toFixed(2)}`;
}

export function count(value: number): string {
  return new Intl.NumberFormat("en", { notation: "compact" }).format(value);
}

export function milliseconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value >= 1_000 ? `${(value / 1_000).toFixed(1)} s` : `${value} ms`;
}
