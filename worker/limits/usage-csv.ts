/** The usage ledger as CSV, one line per (day, model, person); cost in dollars with 6 decimals. */
import type { UsageRow } from "../../contract/usage.ts";

const HEADER = [
  "day",
  "model",
  "user_id",
  "user_email",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "requests",
  "cache_hits",
  "errors",
  "sandbox_seconds",
];

export function usageCsv(rows: UsageRow[], people: Record<string, string>): string {
  const lines = rows.map((row) =>
    [
      row.day,
      row.model,
      row.userId,
      people[row.userId] ?? "",
      row.inputTokens,
      row.outputTokens,
      (row.costMicroUsd / 1_000_000).toFixed(6),
      row.requests,
      row.cacheHits,
      row.errors,
      row.sandboxSeconds,
    ]
      .map(csvField)
      .join(","),
  );
  return `${[HEADER.join(","), ...lines].join("\r\n")}\r\n`;
}

/** RFC 4180 quoting, and a leading quote mark against formula injection in spreadsheets. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
