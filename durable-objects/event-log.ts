/**
 * Every SSE event of an answer, one row per event, keyed by the answer's
 * idempotency key and the event id. A reconnecting client (`Last-Event-ID`)
 * or a finished duplicate reads what it missed from here, so nothing is
 * repeated or lost. Events per answer are capped; rows go with their key.
 */
import type { ChatStreamEvent } from "../contract/api.ts";

/** max_tokens is 8,192, so an answer has at most about that many deltas. */
export const MAX_EVENTS_PER_ANSWER = 12_000;

const SCHEMA = `
  create table if not exists stream_events (
    answer_key text not null,
    seq integer not null,
    event text not null,
    primary key (answer_key, seq)
  );
`;

export type LoggedEvent = { id: number; event: ChatStreamEvent };

export class EventLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  /** Appends; false once the answer reached the cap (the caller ends it). */
  append(key: string, entry: LoggedEvent): boolean {
    if (entry.id > MAX_EVENTS_PER_ANSWER) return false;
    this.#sql.exec(
      "insert or replace into stream_events (answer_key, seq, event) values (?, ?, ?)",
      key,
      entry.id,
      JSON.stringify(entry.event),
    );
    return true;
  }

  after(key: string, lastId: number): LoggedEvent[] {
    return this.#sql
      .exec<{ seq: number; event: string }>(
        "select seq, event from stream_events where answer_key = ? and seq > ? order by seq",
        key,
        lastId,
      )
      .toArray()
      .map((row) => ({ id: row.seq, event: JSON.parse(row.event) as ChatStreamEvent }));
  }

  drop(keys: string[]): void {
    for (const key of keys) this.#sql.exec("delete from stream_events where answer_key = ?", key);
  }
}
