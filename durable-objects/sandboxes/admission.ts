/**
 * The global sandbox creation rate, kept under E2B's limits. It needs one
 * writer for the whole deployment, so it lives in one well-known TeamGateway
 * instance (ADMISSION_OBJECT_NAME) rather than in each team's object. A
 * sliding one-minute window of grants; requests over the rate wait in a
 * first-come queue and are told their place. A waiter that stops asking for
 * ABANDONED_AFTER_MS (its browser left) loses its place.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS admission_grants (ticket TEXT PRIMARY KEY, granted_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS admission_queue (
    ticket TEXT PRIMARY KEY,
    enqueued_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
`;

export const ADMISSION_OBJECT_NAME = "kiln:sandbox-admission";
const WINDOW_MS = 60_000;
const ABANDONED_AFTER_MS = 15_000;
const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

export type Admission = { granted: true } | { granted: false; position: number; retryInMs: number };

export class SandboxAdmission {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  admit(input: { ticket: string; perMinute: number; nowMs: number }): Admission {
    const { ticket, nowMs } = input;
    this.#sql.exec("DELETE FROM admission_grants WHERE granted_at <= ?", nowMs - WINDOW_MS);
    this.#sql.exec(
      "DELETE FROM admission_queue WHERE last_seen_at <= ?",
      nowMs - ABANDONED_AFTER_MS,
    );

    const granted = Number(this.#sql.exec("SELECT count(*) AS n FROM admission_grants").one().n);
    const ahead = this.#positionOf(ticket);
    if (granted < input.perMinute && ahead === 0) {
      this.#sql.exec("DELETE FROM admission_queue WHERE ticket = ?", ticket);
      this.#sql.exec(
        "INSERT OR REPLACE INTO admission_grants (ticket, granted_at) VALUES (?, ?)",
        ticket,
        nowMs,
      );
      return { granted: true };
    }

    this.#sql.exec(
      `INSERT INTO admission_queue (ticket, enqueued_at, last_seen_at) VALUES (?, ?, ?)
       ON CONFLICT (ticket) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      ticket,
      nowMs,
      nowMs,
    );
    const oldest = this.#sql.exec("SELECT min(granted_at) AS at FROM admission_grants").one().at;
    const untilFree = oldest === null ? MIN_RETRY_MS : Number(oldest) + WINDOW_MS - nowMs;
    return {
      granted: false,
      position: this.#positionOf(ticket) + 1,
      retryInMs: Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, untilFree)),
    };
  }

  /** Gives the place up (the request ended before it was admitted). */
  leave(ticket: string) {
    this.#sql.exec("DELETE FROM admission_queue WHERE ticket = ?", ticket);
  }

  /** How many waiters are ahead of this ticket (all of them if it is not queued). */
  #positionOf(ticket: string): number {
    const mine = this.#sql
      .exec("SELECT enqueued_at FROM admission_queue WHERE ticket = ?", ticket)
      .toArray()[0];
    if (!mine) return Number(this.#sql.exec("SELECT count(*) AS n FROM admission_queue").one().n);
    return Number(
      this.#sql
        .exec(
          "SELECT count(*) AS n FROM admission_queue WHERE enqueued_at < ? OR (enqueued_at = ? AND ticket < ?)",
          mine.enqueued_at,
          mine.enqueued_at,
          ticket,
        )
        .one().n,
    );
  }
}
