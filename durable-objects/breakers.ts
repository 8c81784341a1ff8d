/**
 * The team's circuit breakers, one row per provider in the object's SQLite
 * (so an open breaker survives eviction). The rules are in breaker-policy.ts;
 * this module loads, applies and stores, and logs every state change.
 */
import type { BreakerView } from "../contract/routing.ts";
import { logger } from "../worker/logger.ts";
import {
  admit,
  type BreakerRecord,
  type BreakerState,
  closedBreaker,
  recordResult,
  releaseTrial,
  reopensAt,
} from "./breaker-policy.ts";

const SCHEMA = `
  create table if not exists provider_breakers (
    provider text primary key,
    state text not null,
    window_start integer not null,
    calls integer not null,
    failures integer not null,
    opened_at integer,
    trial_started_at integer
  );
`;

type BreakerRow = {
  provider: string;
  state: BreakerState;
  window_start: number;
  calls: number;
  failures: number;
  opened_at: number | null;
  trial_started_at: number | null;
};

export type BreakerAdmission = {
  allowed: boolean;
  /**
   * Set when this call claimed the half-open trial: the call must report
   * its result (record) or give the trial back (release) with this value.
   */
  trial: number | null;
};

export class Breakers {
  readonly #sql: SqlStorage;
  readonly #clock: () => number;
  readonly #teamId: () => string;

  readonly #onOpened: ((provider: string, reason: string) => void) | undefined;

  constructor(
    sql: SqlStorage,
    options: {
      clock?: () => number;
      teamId: () => string;
      /** Observability hook: a breaker just opened (alerts, issue 7). */
      onOpened?: (provider: string, reason: string) => void;
    },
  ) {
    this.#sql = sql;
    this.#clock = options.clock ?? Date.now;
    this.#teamId = options.teamId;
    this.#onOpened = options.onOpened;
    this.#sql.exec(SCHEMA);
  }

  /** Whether a call may go to `provider` now (claims the half-open trial when it may). */
  admit(provider: string): BreakerAdmission {
    const before = this.#load(provider);
    const { allowed, record } = admit(before, this.#clock());
    this.#store(provider, before, record);
    const claimedTrial = allowed && record.state === "half_open";
    return { allowed, trial: claimedTrial ? record.trialStartedAt : null };
  }

  /** Gives back a trial whose call ended neither as a success nor as a provider failure. */
  release(provider: string, trial: number): void {
    const before = this.#load(provider);
    this.#store(provider, before, releaseTrial(before, trial));
  }

  record(provider: string, success: boolean): void {
    const before = this.#load(provider);
    this.#store(provider, before, recordResult(before, { success, now: this.#clock() }));
  }

  /** The earliest time any of `providers` lets a trial through, for a Retry-After. */
  earliestReopen(providers: string[]): number | null {
    const times = providers
      .map((provider) => reopensAt(this.#load(provider)))
      .filter((time): time is number => time !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  list(): BreakerView[] {
    return this.#sql
      .exec<BreakerRow>("select * from provider_breakers order by provider")
      .toArray()
      .map((row) => {
        const record = toRecord(row);
        const reopen = reopensAt(record);
        return {
          provider: row.provider,
          state: record.state,
          calls: record.calls,
          failures: record.failures,
          reopensAt: reopen === null ? null : new Date(reopen).toISOString(),
        };
      });
  }

  #load(provider: string): BreakerRecord {
    const row = this.#sql
      .exec<BreakerRow>("select * from provider_breakers where provider = ?", provider)
      .toArray()[0];
    return row ? toRecord(row) : closedBreaker(this.#clock());
  }

  #store(provider: string, before: BreakerRecord, after: BreakerRecord): void {
    if (before.state !== after.state) {
      logger.warn("breaker.state_changed", {
        teamId: this.#teamId(),
        provider,
        from: before.state,
        to: after.state,
        calls: before.calls,
        failures: before.failures,
      });
      if (after.state === "open") {
        this.#onOpened?.(
          provider,
          `a failure after ${before.failures} of ${before.calls} calls in its window failed`,
        );
      }
    }
    this.#sql.exec(
      `insert into provider_breakers
        (provider, state, window_start, calls, failures, opened_at, trial_started_at)
        values (?, ?, ?, ?, ?, ?, ?)
        on conflict (provider) do update set state = excluded.state,
          window_start = excluded.window_start, calls = excluded.calls,
          failures = excluded.failures, opened_at = excluded.opened_at,
          trial_started_at = excluded.trial_started_at`,
      provider,
      after.state,
      after.windowStart,
      after.calls,
      after.failures,
      after.openedAt,
      after.trialStartedAt,
    );
  }
}

function toRecord(row: BreakerRow): BreakerRecord {
  return {
    state: row.state,
    windowStart: row.window_start,
    calls: row.calls,
    failures: row.failures,
    openedAt: row.opened_at,
    trialStartedAt: row.trial_started_at,
  };
}
