/** Sums ledger rows by day, by model or by person, for the dashboard's tables and chart. */
import type { UsageRow } from "../../../contract/usage.ts";

export type UsageTotals = {
  key: string;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  requests: number;
  cacheHits: number;
  errors: number;
  sandboxSeconds: number;
};

export function totalsBy(rows: UsageRow[], keyOf: (row: UsageRow) => string): UsageTotals[] {
  const byKey = new Map<string, UsageTotals>();
  for (const row of rows) {
    const key = keyOf(row);
    const totals = byKey.get(key) ?? {
      key,
      inputTokens: 0,
      outputTokens: 0,
      costMicroUsd: 0,
      requests: 0,
      cacheHits: 0,
      errors: 0,
      sandboxSeconds: 0,
    };
    totals.inputTokens += row.inputTokens;
    totals.outputTokens += row.outputTokens;
    totals.costMicroUsd += row.costMicroUsd;
    totals.requests += row.requests;
    totals.cacheHits += row.cacheHits;
    totals.errors += row.errors;
    totals.sandboxSeconds += row.sandboxSeconds;
    byKey.set(key, totals);
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}
