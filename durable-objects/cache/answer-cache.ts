/**
 * The team object's side of the prompt cache. KV stores the answers
 * (prompt-cache.ts); this object is the only writer of its team's entries,
 * since the keys are scoped by team and only this object makes answers. So
 * it keeps, in its own SQLite, which keys it stored and until when:
 *
 * - a prompt it never stored (nearly every new prompt) is a miss without a
 *   KV read, which would otherwise sit before every fresh answer's first
 *   token;
 * - the answers it stored most recently are kept in memory too (a few MB),
 *   so a hot repeat is replayed without a KV read either;
 * - anything else it stored is read from KV, which stays the store: an
 *   entry known here but gone from KV (evicted, or a write that failed) is
 *   a miss, and the row goes.
 *
 * Rows live as long as the KV entry (PROMPT_CACHE_TTL_SECONDS) and are
 * capped at MAX_ENTRIES, oldest first, pruned at most once a minute.
 */
import {
  type CachedAnswer,
  PROMPT_CACHE_TTL_SECONDS,
  readCachedAnswer,
  writeCachedAnswer,
} from "./prompt-cache.ts";

export const MAX_ENTRIES = 20_000;
/** Characters of answer text held in memory, across entries (about 2 to 8 MB). */
export const MEMORY_CHARS = 2_000_000;
/**
 * What an entry costs besides its text (its key, the object, the map's slot),
 * in characters: without it, a team of one-word answers would hold hundreds
 * of thousands of entries under the same budget.
 */
const ENTRY_OVERHEAD_CHARS = 256;
const PRUNE_INTERVAL_MS = 60_000;
const TTL_MS = PROMPT_CACHE_TTL_SECONDS * 1000;

const SCHEMA = `
  create table if not exists prompt_cache_entries (
    key text primary key,
    expires_at integer not null
  );
  create index if not exists prompt_cache_entries_expiry on prompt_cache_entries (expires_at);
`;

export class AnswerCache {
  readonly #sql: SqlStorage;
  readonly #kv: KVNamespace;
  /** Most recently stored or read last; its total text is kept under MEMORY_CHARS. */
  readonly #memory = new Map<string, CachedAnswer>();
  #memoryChars = 0;
  #prunedAt = 0;

  constructor(sql: SqlStorage, kv: KVNamespace) {
    this.#sql = sql;
    this.#kv = kv;
    this.#sql.exec(SCHEMA);
  }

  async read(key: string, now: number): Promise<CachedAnswer | null> {
    this.#prune(now);
    const known = this.#sql
      .exec<{ n: number }>(
        "select count(*) as n from prompt_cache_entries where key = ? and expires_at > ?",
        key,
        now,
      )
      .one().n;
    if (known === 0) return null;

    const held = this.#memory.get(key);
    if (held) {
      this.#hold(key, held);
      return held;
    }
    const stored = await readCachedAnswer(this.#kv, key);
    if (stored) this.#hold(key, stored);
    else this.#forget(key);
    return stored;
  }

  /** Stores an answer: known and held at once, in KV when the returned promise settles. */
  async write(key: string, answer: CachedAnswer, now: number): Promise<void> {
    this.#sql.exec(
      `insert into prompt_cache_entries (key, expires_at) values (?, ?)
        on conflict (key) do update set expires_at = excluded.expires_at`,
      key,
      now + TTL_MS,
    );
    this.#hold(key, answer);
    if (!(await writeCachedAnswer(this.#kv, key, answer))) this.#forget(key);
  }

  #hold(key: string, answer: CachedAnswer): void {
    this.#drop(key);
    if (answer.text.length > MEMORY_CHARS / 4) return;
    this.#memory.set(key, answer);
    this.#memoryChars += charsHeld(answer);
    for (const [oldest, entry] of this.#memory) {
      if (this.#memoryChars <= MEMORY_CHARS) break;
      this.#memory.delete(oldest);
      this.#memoryChars -= charsHeld(entry);
    }
  }

  #drop(key: string): void {
    const held = this.#memory.get(key);
    if (!held) return;
    this.#memory.delete(key);
    this.#memoryChars -= charsHeld(held);
  }

  #forget(key: string): void {
    this.#drop(key);
    this.#sql.exec("delete from prompt_cache_entries where key = ?", key);
  }

  #prune(now: number): void {
    if (now - this.#prunedAt < PRUNE_INTERVAL_MS && now >= this.#prunedAt) return;
    this.#prunedAt = now;
    this.#sql.exec("delete from prompt_cache_entries where expires_at <= ?", now);
    this.#sql.exec(
      `delete from prompt_cache_entries where key in (select key from prompt_cache_entries
        order by expires_at desc limit -1 offset ?)`,
      MAX_ENTRIES,
    );
  }
}

function charsHeld(answer: CachedAnswer): number {
  return answer.text.length + ENTRY_OVERHEAD_CHARS;
}
