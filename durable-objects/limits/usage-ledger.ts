/**
 * The team's usage ledger: one row per (UTC day, model, user) with tokens,
 * cost, requests, cache hits and errors. The usage dashboard reads it; rows
 * are small and the key is bounded by days × models × people. Sandboxes go
 * in the same rows under `sandbox:<template>` as their "model", with their
 * seconds, so one ledger (and one budget) holds all the team spends.
 */
import type { UsageRow } from "../../contract/usage.ts";
import { dayOf } from "./periods.ts";

export class UsageLedger {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  record(options: {
    now: number;
    model: string;
    userId: string;
    inputTokens: number;
    outputTokens: number;
    costMicroUsd: number;
    cacheHit: boolean;
    error: boolean;
  }) {
    this.#sql.exec(
      `insert into usage_ledger
        (day, model, user_id, input_tokens, output_tokens, cost_micro_usd, requests, cache_hits, errors)
        values (?, ?, ?, ?, ?, ?, 1, ?, ?)
        on conflict (day, model, user_id) do update set
          input_tokens = input_tokens + excluded.input_tokens,
          output_tokens = output_tokens + excluded.output_tokens,
          cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd,
          requests = requests + 1,
          cache_hits = cache_hits + excluded.cache_hits,
          errors = errors + excluded.errors`,
      dayOf(options.now),
      options.model,
      options.userId,
      options.inputTokens,
      options.outputTokens,
      options.costMicroUsd,
      options.cacheHit ? 1 : 0,
      options.error ? 1 : 0,
    );
  }

  /** One ended sandbox: its seconds and cost, counted as one request. */
  recordSandbox(options: {
    now: number;
    template: string;
    userId: string;
    sandboxSeconds: number;
    costMicroUsd: number;
    failed: boolean;
  }) {
    this.#sql.exec(
      `insert into usage_ledger (day, model, user_id, cost_micro_usd, requests, errors, sandbox_seconds)
        values (?, ?, ?, ?, 1, ?, ?)
        on conflict (day, model, user_id) do update set
          cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd,
          requests = requests + 1,
          errors = errors + excluded.errors,
          sandbox_seconds = sandbox_seconds + excluded.sandbox_seconds`,
      dayOf(options.now),
      sandboxLedgerModel(options.template),
      options.userId,
      options.costMicroUsd,
      options.failed ? 1 : 0,
      options.sandboxSeconds,
    );
  }

  /** Rows from `fromDay` to `toDay` inclusive (`YYYY-MM-DD`), one person's when `userId` is set. */
  rows(options: { fromDay: string; toDay: string; userId?: string | undefined }): UsageRow[] {
    const byUser = options.userId ? "and user_id = ?" : "";
    const params = [options.fromDay, options.toDay, ...(options.userId ? [options.userId] : [])];
    return this.#sql
      .exec<{
        day: string;
        model: string;
        user_id: string;
        input_tokens: number;
        output_tokens: number;
        cost_micro_usd: number;
        requests: number;
        cache_hits: number;
        errors: number;
        sandbox_seconds: number;
      }>(
        `select * from usage_ledger where day >= ? and day <= ? ${byUser}
          order by day, model, user_id limit 5000`,
        ...params,
      )
      .toArray()
      .map((row) => ({
        day: row.day,
        model: row.model,
        userId: row.user_id,
        inputTokens: row.input_tokens,
        outputTokens: row.output_tokens,
        costMicroUsd: row.cost_micro_usd,
        requests: row.requests,
        cacheHits: row.cache_hits,
        errors: row.errors,
        sandboxSeconds: row.sandbox_seconds,
      }));
  }
}

/** The ledger's "model" for a sandbox template's rows. */
export function sandboxLedgerModel(template: string): string {
  return `sandbox:${template}`;
}
