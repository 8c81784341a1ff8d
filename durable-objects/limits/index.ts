/**
 * The TeamGateway's limits concern, composed by the class: quotas and
 * budgets (reserve before a call, settle after), the usage ledger, budget
 * alerts (the team's own webhook at 80 % and 100 %; the platform's alert at
 * 100 %, through `onOverrun`) and the sandbox cap. Prices come from KV before the synchronous
 * check-and-reserve step, so no await ever splits a check from its write;
 * the object keeps what it read for `pricesCacheMs` (a price change made on
 * the ops page applies within that), so a chat turn costs no KV read for them.
 */
import type { Usage } from "../../contract/api.ts";
import { type LimitDetails, retryAfterSeconds } from "../../contract/limits.ts";
import type { BudgetOverrun } from "../../contract/observability.ts";
import type { PriceTable } from "../../contract/prices.ts";
import {
  costMicroUsd,
  priceFor,
  sandboxCostMicroUsd,
  worstCaseMicroUsd,
} from "../../contract/prices.ts";
import type { BudgetView, TeamLimitsView, UsageResponse } from "../../contract/usage.ts";
import { readPriceTable } from "../../worker/limits/prices.ts";
import { logger } from "../../worker/logger.ts";
import { announceAlert, BudgetAlerts } from "./alerts.ts";
import { nextDayStartMs, nextMonthStartMs } from "./periods.ts";
import { type LimitOverrides, overridesAboveCeiling, PLANS, type PlanId } from "./plans.ts";
import { QuotaStore, type Reservation } from "./quota-store.ts";
import { SandboxSlots } from "./sandbox-slots.ts";
import { UsageLedger } from "./usage-ledger.ts";

export type { Reservation } from "./quota-store.ts";

const WEBHOOK_SETTING = "alert_webhook_url";
export const SANDBOX_SLOT_TTL_MS = 30 * 60 * 1000;

export type ReserveGeneration =
  | { ok: true; reservation: Reservation }
  | { ok: false; limit: LimitDetails };

/** How long an object keeps the price table it read (KILN_PRICES_CACHE_MS). */
export const DEFAULT_PRICES_CACHE_MS = 10_000;

export class TeamLimitsModule {
  readonly #kv: KVNamespace;
  readonly #pricesCacheMs: number;
  #prices: { table: PriceTable; readAt: number } | undefined;
  readonly #waitUntil: (promise: Promise<unknown>) => void;
  readonly quotas: QuotaStore;
  readonly #ledger: UsageLedger;
  readonly #alerts: BudgetAlerts;
  readonly #sandboxes: SandboxSlots;
  readonly #onOverrun:
    | ((overrun: Omit<BudgetOverrun, "reachedAt">) => Promise<unknown>)
    | undefined;

  constructor(options: {
    sql: SqlStorage;
    kv: KVNamespace;
    pricesCacheMs?: number;
    waitUntil: (promise: Promise<unknown>) => void;
    /** A budget reached 100 % for the first time in its period (the platform's alert). */
    onOverrun?: (overrun: Omit<BudgetOverrun, "reachedAt">) => Promise<unknown>;
  }) {
    this.#kv = options.kv;
    this.#pricesCacheMs = options.pricesCacheMs ?? DEFAULT_PRICES_CACHE_MS;
    this.#waitUntil = options.waitUntil;
    this.#onOverrun = options.onOverrun;
    this.quotas = new QuotaStore(options.sql);
    this.#ledger = new UsageLedger(options.sql);
    this.#alerts = new BudgetAlerts(options.sql);
    this.#sandboxes = new SandboxSlots(options.sql);
  }

  /** The price table, read from KV at most once per `pricesCacheMs`. */
  async #priceTable(now: number): Promise<PriceTable> {
    const kept = this.#prices;
    if (kept && now >= kept.readAt && now - kept.readAt < this.#pricesCacheMs) return kept.table;
    const table = await readPriceTable(this.#kv);
    this.#prices = { table, readAt: now };
    return table;
  }

  async reserveGeneration(options: {
    userId: string;
    model: string;
    promptTokens: number;
    maxOutputTokens: number;
    now: number;
  }): Promise<ReserveGeneration> {
    const price = priceFor(await this.#priceTable(options.now), options.model);
    return this.quotas.reserve({
      userId: options.userId,
      model: options.model,
      tokens: options.promptTokens + options.maxOutputTokens,
      costMicroUsd: worstCaseMicroUsd(price, options.promptTokens, options.maxOutputTokens),
      now: options.now,
    });
  }

  /** Real usage replaces the reservation; returns the real cost in micro-dollars. */
  async settleGeneration(options: {
    teamId: string;
    reservationId: string;
    userId: string;
    model: string;
    usage: Usage;
    failed: boolean;
    now: number;
  }): Promise<number> {
    const { usage, now } = options;
    const price = priceFor(await this.#priceTable(options.now), options.model);
    const cost = costMicroUsd(price, usage);

    this.quotas.settle({
      reservationId: options.reservationId,
      usage,
      costMicroUsd: cost,
      now,
    });
    this.#ledger.record({
      now,
      model: options.model,
      userId: options.userId,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costMicroUsd: cost,
      cacheHit: false,
      error: options.failed,
    });

    this.#raiseAlerts(options.teamId, now);
    return cost;
  }

  /** Records, logs and posts every budget threshold crossed for the first time this period. */
  #raiseAlerts(teamId: string, now: number) {
    const totals = this.quotas.totals(now);
    const limits = this.quotas.limits();
    const crossed = this.#alerts.crossed(
      [
        {
          name: "tokens_per_day",
          period: totals.day,
          used: totals.tokensToday,
          limit: limits.tokensPerDay,
        },
        {
          name: "dollars_per_month",
          period: totals.month,
          used: totals.costThisMonthMicroUsd,
          limit: limits.dollarsPerMonthMicroUsd,
        },
      ],
      now,
    );
    const webhookUrl = this.quotas.setting(WEBHOOK_SETTING);
    for (const alert of crossed) {
      this.#waitUntil(announceAlert({ teamId, alert, webhookUrl }));
      if (alert.threshold === 100 && this.#onOverrun) {
        const { budget, period, used, limit } = alert;
        const unit = budget === "tokens_per_day" ? "tokens" : "micro_usd";
        this.#waitUntil(this.#onOverrun({ teamId, budget, period, unit, used, limit }));
      }
    }
  }

  /**
   * Settlement at the end of a chat answer; returns the real cost in
   * micro-dollars for the turn's log line and metrics. A ledger fault is
   * logged (`limits.settle_failed`), never thrown at the stream, and counts 0.
   */
  async settleAnswer(options: {
    chat: { requestId: string; teamId: string; userId: string };
    reservationId: string;
    model: string;
    usage: Usage;
    failed: boolean;
  }): Promise<number> {
    const { chat } = options;
    try {
      return await this.settleGeneration({
        teamId: chat.teamId,
        reservationId: options.reservationId,
        userId: chat.userId,
        model: options.model,
        usage: options.usage,
        failed: options.failed,
        now: Date.now(),
      });
    } catch (error) {
      logger.error("limits.settle_failed", { requestId: chat.requestId, error: String(error) });
      return 0;
    }
  }

  releaseGeneration(reservationId: string) {
    this.quotas.release(reservationId);
  }

  /** A cached answer costs nothing and takes no budget, but counts as a request and a hit. */
  recordCacheHit(options: { userId: string; model: string; now: number }) {
    this.#ledger.record({
      ...options,
      inputTokens: 0,
      outputTokens: 0,
      costMicroUsd: 0,
      cacheHit: true,
      error: false,
    });
  }

  /**
   * A slot under the plan's concurrent-sandbox quota (held lower by the
   * operator's `ceiling` when one is set), refused too when the month's
   * dollar budget has nothing left: sandbox seconds are paid from it.
   */
  acquireSandboxSlot(options: {
    sandboxId: string;
    userId: string;
    now: number;
    ttlMs?: number;
    ceiling?: number | null;
  }): { ok: true } | { ok: false; limit: LimitDetails } {
    const { now } = options;
    const limits = this.quotas.limits();
    const totals = this.quotas.totals(now);
    const spent = totals.costThisMonthMicroUsd + totals.reservedMicroUsd;
    // A running sandbox extending its slot (keep-alive) is not a new one: only new ones are refused.
    const extending = this.#sandboxes.holds(options.sandboxId, now);
    if (!extending && spent >= limits.dollarsPerMonthMicroUsd) {
      const resetAtMs = nextMonthStartMs(now);
      return {
        ok: false,
        limit: {
          scope: "team",
          name: "dollars_per_month",
          limit: limits.dollarsPerMonthMicroUsd,
          remaining: 0,
          unit: "micro_usd",
          resetAt: new Date(resetAtMs).toISOString(),
          retryAfterSeconds: retryAfterSeconds(resetAtMs, now),
        },
      };
    }

    const ceiling = options.ceiling ?? Number.POSITIVE_INFINITY;
    return this.#sandboxes.acquire({
      sandboxId: options.sandboxId,
      userId: options.userId,
      now,
      ttlMs: options.ttlMs ?? SANDBOX_SLOT_TTL_MS,
      limit: Math.min(limits.concurrentSandboxes, ceiling),
    });
  }

  /**
   * An ended sandbox: its seconds and their cost go into the ledger and the
   * day's and month's totals, the same ones budgets and `/usage` read.
   * Returns the cost in micro-dollars.
   */
  async settleSandbox(options: {
    teamId: string;
    userId: string;
    template: string;
    sandboxSeconds: number;
    failed: boolean;
    now: number;
  }): Promise<number> {
    const { now } = options;
    const cost = sandboxCostMicroUsd(await this.#priceTable(options.now), options.sandboxSeconds);
    this.quotas.addUsage({ tokens: 0, costMicroUsd: cost, now });
    this.#ledger.recordSandbox({
      now,
      template: options.template,
      userId: options.userId,
      sandboxSeconds: options.sandboxSeconds,
      costMicroUsd: cost,
      failed: options.failed,
    });
    this.#raiseAlerts(options.teamId, now);
    return cost;
  }

  releaseSandboxSlot(sandboxId: string) {
    this.#sandboxes.release(sandboxId);
  }

  limitsView(): TeamLimitsView {
    const plan = this.quotas.plan();
    return {
      plan,
      limits: this.quotas.limits(),
      ceiling: PLANS[plan].ceiling,
      overrides: this.quotas.overrides(),
    };
  }

  /**
   * Admin overrides: refused (with the names) if any goes above the plan's
   * ceiling. A lowered budget may already be crossed: its alerts go out now.
   */
  setOverrides(
    overrides: LimitOverrides,
    options: { teamId: string; now: number },
  ): { ok: true } | { ok: false; aboveCeiling: string[] } {
    const aboveCeiling = overridesAboveCeiling(this.quotas.plan(), overrides);
    if (aboveCeiling.length > 0) return { ok: false, aboveCeiling };
    this.quotas.setOverrides(overrides);
    this.#raiseAlerts(options.teamId, options.now);
    return { ok: true };
  }

  setPlan(plan: PlanId) {
    this.quotas.setPlan(plan);
  }

  setWebhook(url: string | null) {
    this.quotas.putSetting(WEBHOOK_SETTING, url);
  }

  usage(options: {
    fromDay: string;
    toDay: string;
    userId: string | undefined;
    now: number;
  }): Omit<UsageResponse, "people"> {
    const { now } = options;
    const totals = this.quotas.totals(now);
    const limits = this.quotas.limits();
    const budgets: BudgetView[] = [
      {
        name: "tokens_per_day",
        unit: "tokens",
        limit: limits.tokensPerDay,
        used: totals.tokensToday,
        reserved: totals.reservedTokens,
        resetAt: new Date(nextDayStartMs(now)).toISOString(),
      },
      {
        name: "dollars_per_month",
        unit: "micro_usd",
        limit: limits.dollarsPerMonthMicroUsd,
        used: totals.costThisMonthMicroUsd,
        reserved: totals.reservedMicroUsd,
        resetAt: new Date(nextMonthStartMs(now)).toISOString(),
      },
    ];
    return {
      scope: options.userId ? "self" : "team",
      from: options.fromDay,
      to: options.toDay,
      limits: this.limitsView(),
      budgets,
      alerts: this.#alerts.list([totals.day, totals.month]),
      rows: this.#ledger.rows(options),
    };
  }
}
