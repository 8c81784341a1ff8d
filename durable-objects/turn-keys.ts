/**
 * The chat call's idempotency step: a turn's key is claimed with its body's
 * fingerprint, moves through claimed → running → complete or failed, and a
 * finished answer is replayed from the event log. Duplicates that arrive
 * while the claimer is still saving the turn wait here to be woken when its
 * answer starts (or is refused). Expired and surplus keys go, with their
 * events, at most once a second.
 */
import type { EventLog } from "./event-log.ts";
import type { ClaimResult, IdempotencyKeys, KeyRecord, KeyStatus } from "./idempotency.ts";
import { encodeEvent, SSE_HEADERS } from "./sse.ts";

/** How long a duplicate waits for the request that claimed its key to start the answer. */
const CLAIM_WAIT_MS = 30_000;
/** The prune query reads the newest MAX_KEYS finished keys: too much to run for every turn. */
const PRUNE_INTERVAL_MS = 1_000;
/** Events read from the log at a time for a replay. */
const REPLAY_PAGE_EVENTS = 32;

type KeyError = { status: number; body: string; retryAfterSeconds: number | null };

export class TurnKeys {
  readonly #keys: IdempotencyKeys;
  readonly #log: EventLog;
  /** Duplicates waiting for the claimer to start (or give up), by key. */
  readonly #waiting = new Map<string, (() => void)[]>();
  #prunedAt = 0;

  constructor(keys: IdempotencyKeys, log: EventLog) {
    this.#keys = keys;
    this.#log = log;
  }

  claim(options: { key: string; bodyHash: string; now: number }): ClaimResult["kind"] {
    const { now } = options;
    // A key is judged by its own age when found, so pruning can lag by a second.
    if (now - this.#prunedAt >= PRUNE_INTERVAL_MS || now < this.#prunedAt) {
      this.#prunedAt = now;
      this.#log.drop(this.#keys.prune(now));
    }
    return this.#keys.claim(options).kind;
  }

  find(key: string): KeyRecord | null {
    return this.#keys.find(key, Date.now());
  }

  /**
   * Moves the key on; duplicates waiting for its start look again. A key is
   * marked finished only with its answer's events written, in the same
   * commit, so a replay after a restart never misses the answer's end.
   */
  mark(key: string, status: Exclude<KeyStatus, "claimed">, error?: KeyError): void {
    if (status !== "running") this.#log.flush();
    this.#keys.mark(key, status, error);
    this.#wake(key);
  }

  /** Frees a claim whose turn could not be saved, so a retry with the key starts afresh. */
  release(key: string): void {
    this.#keys.release(key);
    this.#wake(key);
  }

  /** Resolves when the claimer of `key` started or gave up, or at once when it is not claimed. */
  waitForStart(key: string): Promise<void> {
    if (this.find(key)?.status !== "claimed") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, CLAIM_WAIT_MS);
      const waiters = this.#waiting.get(key) ?? [];
      function done() {
        clearTimeout(timer);
        resolve();
      }
      waiters.push(done);
      this.#waiting.set(key, waiters);
    });
  }

  /** A finished answer, read from the event log as the client reads, marked as a replay. */
  replay(key: string, lastEventId: number): Response {
    let lastId = lastEventId;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          const page = this.#log.after(key, lastId, REPLAY_PAGE_EVENTS);
          for (const { id, event } of page) {
            controller.enqueue(
              encodeEvent(id, event.type === "meta" ? { ...event, replay: true } : event),
            );
            lastId = id;
          }
          if (page.length < REPLAY_PAGE_EVENTS) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(stream, { headers: { ...SSE_HEADERS, "Idempotent-Replayed": "true" } });
  }

  #wake(key: string): void {
    const waiters = this.#waiting.get(key) ?? [];
    this.#waiting.delete(key);
    for (const wake of waiters) wake();
  }
}
