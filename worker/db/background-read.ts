/**
 * Stale-while-revalidate, the background half: a read started for a key
 * while the known answer keeps serving, at most one per key at a time, kept
 * alive past the response with `waitUntil`. A failed read is dropped; the
 * next request past the TTL starts another.
 */
import { waitUntil } from "cloudflare:workers";

export class BackgroundReads {
  readonly #running = new Set<string>();

  /** Starts `read` for `key` unless one is already running. */
  start(key: string, read: () => Promise<unknown>): void {
    if (this.#running.has(key)) return;
    this.#running.add(key);
    waitUntil(
      read()
        .catch(() => {})
        .finally(() => this.#running.delete(key)),
    );
  }
}
