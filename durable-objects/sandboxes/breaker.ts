/**
 * The team's circuit breaker for E2B, like a provider's: after
 * FAILURE_THRESHOLD consecutive infrastructure failures (create errors, not
 * rate limits or the app's own failures) it opens for COOLDOWN_MS, during
 * which sandbox requests fall back at once instead of waiting on a dead
 * service; then one request is let through to probe. One SQLite row.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sandbox_breaker (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    opened_at INTEGER
  );
`;

export const FAILURE_THRESHOLD = 3;
export const COOLDOWN_MS = 30_000;

export type BreakerState = "closed" | "open" | "half_open";

export class E2bBreaker {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  state(nowMs: number): BreakerState {
    const row = this.#row();
    if (row.opened_at === null) return "closed";
    return nowMs - row.opened_at >= COOLDOWN_MS ? "half_open" : "open";
  }

  /** When an open breaker lets the next probe through. */
  retryAtMs(): number | null {
    const openedAt = this.#row().opened_at;
    return openedAt === null ? null : openedAt + COOLDOWN_MS;
  }

  recordSuccess() {
    this.#write(0, null);
  }

  recordFailure(nowMs: number) {
    const row = this.#row();
    const failures = row.failures + 1;
    // A failed probe in half-open re-opens at once, with a fresh cooldown.
    const opens = failures >= FAILURE_THRESHOLD || row.opened_at !== null;
    this.#write(failures, opens ? nowMs : null);
  }

  #row(): { failures: number; opened_at: number | null } {
    const row = this.#sql
      .exec("SELECT failures, opened_at FROM sandbox_breaker WHERE name = 'e2b'")
      .toArray()[0];
    return row
      ? {
          failures: Number(row.failures),
          opened_at: row.opened_at === null ? null : Number(row.opened_at),
        }
      : { failures: 0, opened_at: null };
  }

  #write(failures: number, openedAt: number | null) {
    this.#sql.exec(
      "INSERT OR REPLACE INTO sandbox_breaker (name, failures, opened_at) VALUES ('e2b', ?, ?)",
      failures,
      openedAt,
    );
  }
}
