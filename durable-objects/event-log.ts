/**
 * Every SSE event of an answer, one row per event, keyed by the answer's
 * idempotency key and the event id. A reconnecting client (`Last-Event-ID`),
 * a client that reads slower than the model writes, or a finished duplicate
 * reads what it missed from here a page at a time, so nothing is repeated or
 * lost and the object never holds a whole answer on its heap. Events per
 * answer are capped; rows go with their key.
 *
 * Appends are written in batches, every FLUSH_MS across all the object's
 * answers: each write outside a batch is its own implicit transaction, and
 * at hundreds of streams per team one commit per chunk is what the object
 * spent its time on. (A flush every 100 ms instead of 10 measured no
 * different at 200 streams, so the shorter wait stays.) Until a batch is
 * written its events are read from memory, so readers never see a gap. A
 * batch lost with the object (a crash within FLUSH_MS) goes with the live
 * answer it belongs to, which cannot outlive the object either; an answer's
 * key is marked finished only after its events are written, in the same
 * commit (turn-keys.ts). The log remembers the last event it wrote of
 * each key, so a reader that is already past it (every live subscriber
 * that keeps up) reads from memory without a query.
 */
import type { ChatStreamEvent } from "../contract/api.ts";

/** max_tokens is 8,192, so an answer has at most about that many deltas. */
export const MAX_EVENTS_PER_ANSWER = 12_000;
const FLUSH_MS = 10;

const SCHEMA = `
  create table if not exists stream_events (
    answer_key text not null,
    seq integer not null,
    event text not null,
    primary key (answer_key, seq)
  );
`;

export type LoggedEvent = { id: number; event: ChatStreamEvent };

type PendingEvent = { key: string; entry: LoggedEvent };

export class EventLog {
  readonly #sql: SqlStorage;
  #pending: PendingEvent[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last event id written of each key since this object started. */
  readonly #writtenUpTo = new Map<string, number>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  /** A new answer's key: nothing of it is written yet (a key is claimed new only without events). */
  begin(key: string): void {
    this.#writtenUpTo.set(key, 0);
  }

  /** Appends; false once the answer reached the cap (the caller ends it). */
  append(key: string, entry: LoggedEvent): boolean {
    if (entry.id > MAX_EVENTS_PER_ANSWER) return false;
    this.#pending.push({ key, entry });
    this.#flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
    return true;
  }

  /** Writes the appended events now. */
  flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    // Writes in one turn of the event loop commit together (workerd's implicit transaction).
    for (const { key, entry } of pending) {
      this.#sql.exec(
        "insert or replace into stream_events (answer_key, seq, event) values (?, ?, ?)",
        key,
        entry.id,
        JSON.stringify(entry.event),
      );
      this.#writtenUpTo.set(key, Math.max(entry.id, this.#writtenUpTo.get(key) ?? 0));
    }
  }

  /** The events after `lastId`, in order, at most `limit` of them. */
  after(key: string, lastId: number, limit = MAX_EVENTS_PER_ANSWER): LoggedEvent[] {
    // Unknown keys (written before this object started) are always asked of SQLite.
    const written =
      lastId >= (this.#writtenUpTo.get(key) ?? Number.POSITIVE_INFINITY)
        ? []
        : this.#sql
            .exec<{ seq: number; event: string }>(
              "select seq, event from stream_events where answer_key = ? and seq > ? order by seq limit ?",
              key,
              lastId,
              limit,
            )
            .toArray()
            .map((row) => ({ id: row.seq, event: JSON.parse(row.event) as ChatStreamEvent }));
    if (written.length === limit) return written;

    // Pending events come after every written one of the same key.
    const from = written.at(-1)?.id ?? lastId;
    const pending = this.#pending
      .filter((item) => item.key === key && item.entry.id > from)
      .map((item) => item.entry);
    return [...written, ...pending].slice(0, limit);
  }

  drop(keys: string[]): void {
    if (keys.length === 0) return;
    const dropped = new Set(keys);
    for (const key of keys) this.#writtenUpTo.delete(key);
    this.#pending = this.#pending.filter((item) => !dropped.has(item.key));
    for (const key of keys) this.#sql.exec("delete from stream_events where answer_key = ?", key);
  }
}
