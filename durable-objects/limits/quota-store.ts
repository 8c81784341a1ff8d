/**
 * Team quotas and budgets, strongly consistent because one Durable Object
 * is the only writer and every check-and-reserve below is synchronous SQLite
 * work with no await inside: two requests can never both see the same room.
 *
 * Before a call the caller reserves the worst case (prompt estimate plus
 * `max_tokens`, priced at the model's output price); after it, `settle`
 * replaces the reservation with what was really used. A reservation whose
 * request died without settling expires, so it cannot hold budget forever.
 *
 * Open reservations live in memory only. They belong to answers this object
 * is streaming, and those end when the object does: after a restart (a
 * deploy, an eviction) a stored reservation could only hold room its answer
 * will never use, for the whole of its TTL. So a restart frees them at once.
 *
 * Being the only writer, the store also keeps in memory what every decision
 * reads (the day's and month's totals, the current request window, the
 * effective limits), loaded from SQLite once and written through on every
 * change. A decision then reads nothing, and only settling writes: the
 * spend, with the request count (REQUEST_COUNT_SAVE_MS). Figure 5 counted
 * five reads and three writes more in each reserve and settle, the largest
 * share of the object's time.
 */
import type { Usage } from "../../contract/api.ts";
import type { LimitDetails } from "../../contract/limits.ts";
import { retryAfterSeconds } from "../../contract/limits.ts";
import { dayOf, fixedWindow, monthOf, nextDayStartMs, nextMonthStartMs } from "./periods.ts";
import {
  DEFAULT_PLAN,
  effectiveLimits,
  type LimitOverrides,
  type PlanId,
  planIdSchema,
  type TeamLimits,
} from "./plans.ts";
import { addMissingColumns, LIMITS_SCHEMA } from "./schema.ts";

/** Longer than any generation may run; after that a reservation is presumed dead. */
export const RESERVATION_TTL_MS = 15 * 60 * 1000;
export const REQUEST_WINDOW_MS = 60_000;
/** A concurrency cap frees up when an answer ends; this is how soon to look again. */
const CONCURRENCY_RETRY_MS = 5_000;

export type Reservation = { id: string; tokens: number; costMicroUsd: number };
export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | { ok: false; limit: LimitDetails };

export type PeriodTotals = {
  day: string;
  month: string;
  tokensToday: number;
  costThisMonthMicroUsd: number;
  reservedTokens: number;
  reservedMicroUsd: number;
  openReservations: number;
};

type OpenReservation = { tokens: number; costMicroUsd: number; expiresAt: number };
type PeriodRow = { tokens: number; costMicroUsd: number };

/** Day and month rows kept in memory; older periods are read again if ever asked for. */
const KEPT_PERIODS = 8;
/**
 * How late a request count may reach SQLite. A write opens a transaction, and
 * that, not the statement, was the cost of a reserve; the count is written
 * with the next spend, or after this long. An object that crashes in between
 * forgets at most this long's requests in the current minute.
 */
const REQUEST_COUNT_SAVE_MS = 1_000;

export class QuotaStore {
  readonly #sql: SqlStorage;
  readonly #requestWindowMs: number;
  /** limit_settings as last read or written: this object is their only writer. */
  readonly #settings = new Map<string, string | undefined>();
  #limits: TeamLimits | undefined;
  /** The open reservations of this object's answers, by id, in memory only (see above). */
  readonly #open = new Map<string, OpenReservation>();
  #reservedTokens = 0;
  #reservedMicroUsd = 0;
  /** The earliest expiry among `#open`: nothing needs dropping before then. */
  #nextExpiryMs = Number.POSITIVE_INFINITY;
  readonly #periods = new Map<string, PeriodRow>();
  /** The current request window's count, and whether SQLite has it yet. */
  #window: { startMs: number; requests: number; saved: boolean } | undefined;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Rows of windows before this one have been deleted. */
  #prunedBeforeMs = 0;

  constructor(sql: SqlStorage, options: { requestWindowMs?: number } = {}) {
    this.#sql = sql;
    this.#sql.exec(LIMITS_SCHEMA);
    addMissingColumns(this.#sql);
    // Stored by earlier versions; their answers ended with the object that held them.
    this.#sql.exec("delete from limit_reservations");
    this.#requestWindowMs = options.requestWindowMs ?? REQUEST_WINDOW_MS;
  }

  plan(): PlanId {
    const parsed = planIdSchema.safeParse(this.#setting("plan"));
    return parsed.success ? parsed.data : DEFAULT_PLAN;
  }

  overrides(): LimitOverrides {
    const raw = this.#setting("overrides");
    return raw ? (JSON.parse(raw) as LimitOverrides) : {};
  }

  limits(): TeamLimits {
    this.#limits ??= effectiveLimits(this.plan(), this.overrides());
    return this.#limits;
  }

  setPlan(plan: PlanId) {
    this.#putSetting("plan", plan);
  }

  setOverrides(overrides: LimitOverrides) {
    this.#putSetting("overrides", JSON.stringify(overrides));
  }

  setting(name: string): string | undefined {
    return this.#setting(name);
  }

  putSetting(name: string, value: string | null) {
    if (value === null) {
      this.#sql.exec("delete from limit_settings where name = ?", name);
      this.#settings.set(name, undefined);
      this.#limits = undefined;
    } else this.#putSetting(name, value);
  }

  /** Checks every team limit and, only if all have room, takes the room: one synchronous step. */
  reserve(options: {
    userId: string;
    model: string;
    tokens: number;
    costMicroUsd: number;
    now: number;
  }): ReserveResult {
    const { now } = options;
    const limits = this.limits();
    const totals = this.totals(now);

    const refusal = this.#refusal({ ...options, limits, totals });
    if (refusal) return { ok: false, limit: refusal };

    const reservation: Reservation = {
      id: crypto.randomUUID(),
      tokens: options.tokens,
      costMicroUsd: options.costMicroUsd,
    };
    this.#remember(reservation.id, {
      tokens: reservation.tokens,
      costMicroUsd: reservation.costMicroUsd,
      expiresAt: now + RESERVATION_TTL_MS,
    });
    this.#countRequest(now);
    return { ok: true, reservation };
  }

  /**
   * Replaces a reservation with real usage (failed and aborted calls included:
   * they settle to what was really used). Returns the new totals for alerts.
   */
  settle(options: { reservationId: string; usage: Usage; costMicroUsd: number; now: number }) {
    const { usage, now } = options;
    this.release(options.reservationId);
    this.addUsage({
      tokens: usage.inputTokens + usage.outputTokens,
      costMicroUsd: options.costMicroUsd,
      now,
    });
    return this.totals(now);
  }

  /** Gives a reservation back untouched: the call never reached the provider. */
  release(reservationId: string) {
    const reservation = this.#open.get(reservationId);
    if (!reservation) return;
    this.#open.delete(reservationId);
    this.#reservedTokens -= reservation.tokens;
    this.#reservedMicroUsd -= reservation.costMicroUsd;
  }

  addUsage(options: { tokens: number; costMicroUsd: number; now: number }) {
    // In the same transaction as the spend: no write of its own.
    this.saveRequestCount();
    const day = this.#period(`day:${dayOf(options.now)}`);
    const month = this.#period(`month:${monthOf(options.now)}`);
    this.#sql.exec(
      `insert into limit_period_totals (period, tokens, cost_micro_usd) values (?, ?, ?), (?, ?, ?)
        on conflict (period) do update set
          tokens = tokens + excluded.tokens,
          cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd`,
      `day:${dayOf(options.now)}`,
      options.tokens,
      options.costMicroUsd,
      `month:${monthOf(options.now)}`,
      options.tokens,
      options.costMicroUsd,
    );
    for (const row of [day, month]) {
      row.tokens += options.tokens;
      row.costMicroUsd += options.costMicroUsd;
    }
  }

  /** The day's and month's totals and the open reservations (those not expired at `now`). */
  totals(now: number): PeriodTotals {
    const day = dayOf(now);
    const month = monthOf(now);
    this.#dropExpired(now);
    return {
      day,
      month,
      tokensToday: this.#period(`day:${day}`).tokens,
      costThisMonthMicroUsd: this.#period(`month:${month}`).costMicroUsd,
      reservedTokens: this.#reservedTokens,
      reservedMicroUsd: this.#reservedMicroUsd,
      openReservations: this.#open.size,
    };
  }

  #remember(id: string, reservation: OpenReservation) {
    this.#open.set(id, reservation);
    this.#reservedTokens += reservation.tokens;
    this.#reservedMicroUsd += reservation.costMicroUsd;
    this.#nextExpiryMs = Math.min(this.#nextExpiryMs, reservation.expiresAt);
  }

  /** Drops the reservations whose requests died without settling, once one has expired. */
  #dropExpired(now: number) {
    if (now < this.#nextExpiryMs) return;
    this.#nextExpiryMs = Number.POSITIVE_INFINITY;
    for (const [id, reservation] of this.#open) {
      if (reservation.expiresAt > now) {
        this.#nextExpiryMs = Math.min(this.#nextExpiryMs, reservation.expiresAt);
        continue;
      }
      this.#open.delete(id);
      this.#reservedTokens -= reservation.tokens;
      this.#reservedMicroUsd -= reservation.costMicroUsd;
    }
  }

  /** A budget period's totals, read once and then kept as they are written. */
  #period(name: string): PeriodRow {
    const kept = this.#periods.get(name);
    if (kept) return kept;
    if (this.#periods.size >= KEPT_PERIODS) this.#periods.clear();
    const row = this.#sql
      .exec<{ tokens: number; cost_micro_usd: number }>(
        "select tokens, cost_micro_usd from limit_period_totals where period = ?",
        name,
      )
      .toArray()[0];
    const period = { tokens: row?.tokens ?? 0, costMicroUsd: row?.cost_micro_usd ?? 0 };
    this.#periods.set(name, period);
    return period;
  }

  #refusal(options: {
    tokens: number;
    costMicroUsd: number;
    now: number;
    limits: TeamLimits;
    totals: PeriodTotals;
  }): LimitDetails | undefined {
    const { now, limits, totals } = options;
    const details = (
      fields: Omit<LimitDetails, "scope" | "resetAt" | "retryAfterSeconds">,
      resetAtMs: number,
    ): LimitDetails => ({
      scope: "team",
      ...fields,
      remaining: Math.max(0, fields.remaining),
      resetAt: new Date(resetAtMs).toISOString(),
      retryAfterSeconds: retryAfterSeconds(resetAtMs, now),
    });

    if (totals.openReservations >= limits.concurrentGenerations) {
      return details(
        {
          name: "concurrent_generations",
          limit: limits.concurrentGenerations,
          remaining: 0,
          unit: "generations",
        },
        now + CONCURRENCY_RETRY_MS,
      );
    }

    const window = fixedWindow(now, this.#requestWindowMs);
    const requests = this.#requestWindow(window.startMs).requests;
    if (requests >= limits.requestsPerMinute) {
      return details(
        {
          name: "requests_per_minute",
          limit: limits.requestsPerMinute,
          remaining: 0,
          unit: "requests",
          windowSeconds: this.#requestWindowMs / 1000,
        },
        window.resetAtMs,
      );
    }

    const tokensUsed = totals.tokensToday + totals.reservedTokens;
    if (tokensUsed + options.tokens > limits.tokensPerDay) {
      return details(
        {
          name: "tokens_per_day",
          limit: limits.tokensPerDay,
          remaining: limits.tokensPerDay - tokensUsed,
          used: tokensUsed,
          unit: "tokens",
        },
        nextDayStartMs(now),
      );
    }

    const costUsed = totals.costThisMonthMicroUsd + totals.reservedMicroUsd;
    if (costUsed + options.costMicroUsd > limits.dollarsPerMonthMicroUsd) {
      return details(
        {
          name: "dollars_per_month",
          limit: limits.dollarsPerMonthMicroUsd,
          remaining: limits.dollarsPerMonthMicroUsd - costUsed,
          used: costUsed,
          unit: "micro_usd",
        },
        nextMonthStartMs(now),
      );
    }
    return undefined;
  }

  /** The count of the window starting at `startMs`, read when the window changes. */
  #requestWindow(startMs: number): { startMs: number; requests: number; saved: boolean } {
    if (this.#window?.startMs === startMs) return this.#window;
    // A past window's unsaved count is not written: nothing reads it, and the next save deletes it.
    const row = this.#sql
      .exec<{ requests: number }>(
        "select requests from limit_request_windows where window_start = ?",
        startMs,
      )
      .toArray()[0];
    this.#window = { startMs, requests: row?.requests ?? 0, saved: true };
    return this.#window;
  }

  #countRequest(now: number) {
    const window = this.#requestWindow(fixedWindow(now, this.#requestWindowMs).startMs);
    window.requests += 1;
    window.saved = false;
    this.#saveTimer ??= setTimeout(() => this.saveRequestCount(), REQUEST_COUNT_SAVE_MS);
  }

  /** Writes the request window's count, if it changed; older windows' rows go. */
  saveRequestCount() {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    const window = this.#window;
    if (!window || window.saved) return;
    if (this.#prunedBeforeMs !== window.startMs) {
      this.#sql.exec("delete from limit_request_windows where window_start < ?", window.startMs);
      this.#prunedBeforeMs = window.startMs;
    }
    this.#sql.exec(
      `insert into limit_request_windows (window_start, requests) values (?, ?)
        on conflict (window_start) do update set requests = excluded.requests`,
      window.startMs,
      window.requests,
    );
    window.saved = true;
  }

  #setting(name: string): string | undefined {
    if (this.#settings.has(name)) return this.#settings.get(name);
    const value = this.#sql
      .exec<{ value: string }>("select value from limit_settings where name = ?", name)
      .toArray()[0]?.value;
    this.#settings.set(name, value);
    return value;
  }

  #putSetting(name: string, value: string) {
    this.#limits = undefined;
    this.#sql.exec(
      `insert into limit_settings (name, value) values (?, ?)
        on conflict (name) do update set value = excluded.value`,
      name,
      value,
    );
    this.#settings.set(name, value);
  }
}
