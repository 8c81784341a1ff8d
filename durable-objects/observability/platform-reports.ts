/**
 * A team object's settled turns on their way to the platform's one object
 * (platform-metrics.ts).
 */
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";
import { type PlatformRequestReport, platformMetrics } from "./platform-metrics.ts";

/** How long a team object gathers settled turns before it sends them to the platform's object. */
export const REPORT_BATCH_MS = 200;

/**
 * A team object's settled turns on their way to the platform's one object,
 * sent in one call every REPORT_BATCH_MS: every chat on the platform reports
 * there, and one call per chat would make that single object the ceiling of
 * the whole platform's chat rate. The object is kept alive until its batch
 * is sent; a crash loses at most that batch's figures.
 */
export class PlatformReports {
  readonly #env: Env;
  readonly #waitUntil: (work: Promise<unknown>) => void;
  #pending: PlatformRequestReport[] = [];
  #sending: Promise<void> = Promise.resolve();

  constructor(env: Env, waitUntil: (work: Promise<unknown>) => void) {
    this.#env = env;
    this.#waitUntil = waitUntil;
  }

  add(report: PlatformRequestReport): void {
    this.#pending.push(report);
    if (this.#pending.length > 1) return;
    this.#waitUntil(
      new Promise((resolve) => setTimeout(resolve, REPORT_BATCH_MS)).then(() => this.flush()),
    );
  }

  /**
   * Sends what is pending now, after any send in flight, so that a report
   * made after it (a breaker that opened) reaches the platform's object
   * after the turns that led to it.
   */
  flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.#sending = this.#sending.then(() => (batch.length > 0 ? this.#send(batch) : undefined));
    return this.#sending;
  }

  async #send(batch: PlatformRequestReport[]): Promise<void> {
    try {
      await platformMetrics(this.#env).recordRequests(batch);
    } catch (error) {
      logger.warn("platform_metrics.report_failed", { turns: batch.length, error: String(error) });
    }
  }
}
