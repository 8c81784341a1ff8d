/**
 * Idempotency keys of `POST /api/chat`, per team (this object is the team):
 * one small row per key with the hash of the body it was first used with and
 * where its answer stands. Rows live for IDEMPOTENCY_TTL_MS and are capped at
 * MAX_KEYS, oldest first, so the table never grows without bound (case L4).
 */

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
// TODO(soon): compact a finished answer's events into one row so more keys fit; until then 1,000.
export const MAX_KEYS = 1_000;
/** A claim whose owner never started a generation (it crashed) frees the key after this. */
export const STALE_CLAIM_MS = 60_000;

const SCHEMA = `
  create table if not exists idempotency_keys (
    key text primary key,
    body_hash text not null,
    status text not null,
    created_at integer not null,
    error_status integer,
    error_body text,
    retry_after integer
  );
  create index if not exists idempotency_keys_created on idempotency_keys (created_at);
`;

/** claimed: the Worker is saving the turn; running: streaming; complete / failed: settled. */
export type KeyStatus = "claimed" | "running" | "complete" | "failed";

export type KeyRecord = {
  key: string;
  bodyHash: string;
  status: KeyStatus;
  createdAt: number;
  errorStatus: number | null;
  errorBody: string | null;
  retryAfterSeconds: number | null;
};

export type ClaimResult =
  | { kind: "new" }
  | { kind: "existing"; record: KeyRecord }
  | { kind: "mismatch" };

type KeyRow = {
  key: string;
  body_hash: string;
  status: KeyStatus;
  created_at: number;
  error_status: number | null;
  error_body: string | null;
  retry_after: number | null;
};

export class IdempotencyKeys {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  /**
   * Claims `key` for a body, or reports how it is already used. Runs in one
   * synchronous step of the object, so of simultaneous duplicates exactly one
   * gets "new" (case L3).
   */
  claim(options: { key: string; bodyHash: string; now: number }): ClaimResult {
    const { key, bodyHash, now } = options;
    const existing = this.find(key, now);

    if (existing && existing.bodyHash !== bodyHash) return { kind: "mismatch" };
    if (existing && !(existing.status === "claimed" && now - existing.createdAt > STALE_CLAIM_MS)) {
      return { kind: "existing", record: existing };
    }

    this.#sql.exec(
      `insert into idempotency_keys (key, body_hash, status, created_at) values (?, ?, 'claimed', ?)
        on conflict (key) do update set status = 'claimed', created_at = excluded.created_at,
          error_status = null, error_body = null, retry_after = null`,
      key,
      bodyHash,
      now,
    );
    return { kind: "new" };
  }

  find(key: string, now: number): KeyRecord | null {
    const row = this.#sql
      .exec<KeyRow>(
        "select * from idempotency_keys where key = ? and created_at > ?",
        key,
        now - IDEMPOTENCY_TTL_MS,
      )
      .toArray()[0];
    return row
      ? {
          key: row.key,
          bodyHash: row.body_hash,
          status: row.status,
          createdAt: row.created_at,
          errorStatus: row.error_status,
          errorBody: row.error_body,
          retryAfterSeconds: row.retry_after,
        }
      : null;
  }

  mark(
    key: string,
    status: KeyStatus,
    error?: { status: number; body: string; retryAfterSeconds: number | null },
  ): void {
    this.#sql.exec(
      `update idempotency_keys set status = ?, error_status = ?, error_body = ?, retry_after = ?
        where key = ?`,
      status,
      error?.status ?? null,
      error?.body ?? null,
      error?.retryAfterSeconds ?? null,
      key,
    );
  }

  release(key: string): void {
    this.#sql.exec("delete from idempotency_keys where key = ? and status = 'claimed'", key);
  }

  /** Drops expired keys and the oldest beyond the cap; returns the keys dropped. */
  prune(now: number): string[] {
    const expired = this.#sql
      .exec<{ key: string }>(
        `select key from idempotency_keys where created_at <= ?
         union select key from (select key from idempotency_keys
           where status in ('complete', 'failed') order by created_at desc limit -1 offset ?)`,
        now - IDEMPOTENCY_TTL_MS,
        MAX_KEYS,
      )
      .toArray()
      .map((row) => row.key);
    for (const key of expired) this.#sql.exec("delete from idempotency_keys where key = ?", key);
    return expired;
  }
}
