/**
 * The concurrent-sandbox cap, for the sandbox module to call before it
 * starts one (`acquire`) and when it stops one (`release`). A slot carries
 * an expiry, so a sandbox that was never released frees its slot anyway.
 */
import { type LimitDetails, retryAfterSeconds } from "../../contract/limits.ts";

export class SandboxSlots {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  acquire(options: {
    sandboxId: string;
    userId: string;
    ttlMs: number;
    limit: number;
    now: number;
  }): { ok: true } | { ok: false; limit: LimitDetails } {
    const { now } = options;
    this.#sql.exec("delete from sandbox_slots where expires_at <= ?", now);
    const rows = this.#sql
      .exec<{ sandbox_id: string; expires_at: number }>(
        "select sandbox_id, expires_at from sandbox_slots order by expires_at",
      )
      .toArray();
    const holding = rows.some((row) => row.sandbox_id === options.sandboxId);

    if (!holding && rows.length >= options.limit) {
      const resetAtMs = rows[0]?.expires_at ?? now + options.ttlMs;
      return {
        ok: false,
        limit: {
          scope: "team",
          name: "concurrent_sandboxes",
          limit: options.limit,
          remaining: 0,
          unit: "sandboxes",
          resetAt: new Date(resetAtMs).toISOString(),
          retryAfterSeconds: retryAfterSeconds(resetAtMs, now),
        },
      };
    }

    this.#sql.exec(
      `insert into sandbox_slots (sandbox_id, user_id, started_at, expires_at) values (?, ?, ?, ?)
        on conflict (sandbox_id) do update set expires_at = excluded.expires_at`,
      options.sandboxId,
      options.userId,
      now,
      now + options.ttlMs,
    );
    return { ok: true };
  }

  holds(sandboxId: string, now: number): boolean {
    return (
      this.#sql
        .exec("select 1 from sandbox_slots where sandbox_id = ? and expires_at > ?", sandboxId, now)
        .toArray().length > 0
    );
  }

  release(sandboxId: string) {
    this.#sql.exec("delete from sandbox_slots where sandbox_id = ?", sandboxId);
  }

  running(now: number): number {
    return this.#sql
      .exec<{ running: number }>(
        "select count(*) as running from sandbox_slots where expires_at > ?",
        now,
      )
      .one().running;
  }
}
