/**
 * Team quotas and budgets, strongly consistent because one Durable Object
 * is the only writer and every check-and-reserve below is synchronous SQLite
 * work with no await inside: two requests can never both see the same room.
 *
 * Before a call the caller reserves the worst case (prompt estimate plus
 * `max_tokens`, priced at the model's output price); after it, `settle`
 * replaces the reservation with what was really used. A reservation whose
 * request died without settling expires, so it cannot hold budget forever.
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

export class QuotaStore {
  readonly #sql: SqlStorage;
  readonly #requestWindowMs: number;
  /** limit_settings as last read or written: this object is their only writer. */
  readonly #settings = new Map<string, string | undefined>();
  /** The request window whose older rows were last deleted. */
  #prunedWindowStart = 0;

  constructor(sql: SqlStorage, options: { requestWindowMs?: number } = {}) {
    this.#sql = sql;
    this.#sql.exec(LIMITS_SCHEMA);
    addMissingColumns(this.#sql);
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
    return effectiveLimits(this.plan(), this.overrides());
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
    this.#sql.exec("delete from limit_reservations where expires_at <= ?", now);
    const totals = this.totals(now);

    const refusal = this.#refusal({ ...options, limits, totals });
    if (refusal) return { ok: false, limit: refusal };

    const reservation: Reservation = {
      id: crypto.randomUUID(),
      tokens: options.tokens,
      costMicroUsd: options.costMicroUsd,
    };
    this.#sql.exec(
      `insert into limit_reservations
        (id, user_id, model, tokens, cost_micro_usd, created_at, expires_at)
        values (?, ?, ?, ?, ?, ?, ?)`,
      reservation.id,
      options.userId,
      options.model,
      reservation.tokens,
      reservation.costMicroUsd,
      now,
      now + RESERVATION_TTL_MS,
    );
    this.#countRequest(now);
    return { ok: true, reservation };
  }

  /**
   * Replaces a reservation with real usage (failed and aborted calls included:
   * they settle to what was really used). Returns the new totals for alerts.
   */
  settle(options: { reservationId: string; usage: Usage; costMicroUsd: number; now: number }) {
    const { usage, now } = options;
    this.#sql.exec("delete from limit_reservations where id = ?", options.reservationId);
    this.addUsage({
      tokens: usage.inputTokens + usage.outputTokens,
      costMicroUsd: options.costMicroUsd,
      now,
    });
    return this.totals(now);
  }

  /** Gives a reservation back untouched: the call never reached the provider. */
  release(reservationId: string) {
    this.#sql.exec("delete from limit_reservations where id = ?", reservationId);
  }

  addUsage(options: { tokens: number; costMicroUsd: number; now: number }) {
    const add = `insert into limit_period_totals (period, tokens, cost_micro_usd) values (?, ?, ?)
      on conflict (period) do update set
        tokens = tokens + excluded.tokens,
        cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd`;
    this.#sql.exec(add, `day:${dayOf(options.now)}`, options.tokens, options.costMicroUsd);
    this.#sql.exec(add, `month:${monthOf(options.now)}`, options.tokens, options.costMicroUsd);
  }

  /** The day's and month's totals and the open reservations, in one statement. */
  totals(now: number): PeriodTotals {
    const day = dayOf(now);
    const month = monthOf(now);
    const row = this.#sql
      .exec<{
        tokens_today: number | null;
        cost_this_month: number | null;
        open: number;
        tokens: number;
        cost: number;
      }>(
        `select
          (select tokens from limit_period_totals where period = ?) as tokens_today,
          (select cost_micro_usd from limit_period_totals where period = ?) as cost_this_month,
          count(*) as open, coalesce(sum(tokens), 0) as tokens,
          coalesce(sum(cost_micro_usd), 0) as cost
        from limit_reservations where expires_at > ?`,
        `day:${day}`,
        `month:${month}`,
        now,
      )
      .one();
    return {
      day,
      month,
      tokensToday: row.tokens_today ?? 0,
      costThisMonthMicroUsd: row.cost_this_month ?? 0,
      reservedTokens: row.tokens,
      reservedMicroUsd: row.cost,
      openReservations: row.open,
    };
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
    const requests = this.#requestsIn(window.startMs);
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

  #requestsIn(windowStart: number): number {
    const row = this.#sql
      .exec<{ requests: number }>(
        "select requests from limit_request_windows where window_start = ?",
        windowStart,
      )
      .toArray()[0];
    return row?.requests ?? 0;
  }

  #countRequest(now: number) {
    const { startMs } = fixedWindow(now, this.#requestWindowMs);
    if (startMs !== this.#prunedWindowStart) {
      this.#sql.exec("delete from limit_request_windows where window_start < ?", startMs);
      this.#prunedWindowStart = startMs;
    }
    this.#sql.exec(
      `insert into limit_request_windows (window_start, requests) values (?, 1)
        on conflict (window_start) do update set requests = requests + 1`,
      startMs,
    );
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
    this.#sql.exec(
      `insert into limit_settings (name, value) values (?, ?)
        on conflict (name) do update set value = excluded.value`,
      name,
      value,
    );
    this.#settings.set(name, value);
  }
}
