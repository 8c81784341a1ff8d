/**
 * PlatformMetrics: one Durable Object for the whole platform (named
 * "platform"), holding what the ops page needs across teams: per-provider
 * calls and errors per minute, per-team requests, errors and cost per UTC
 * day, sandbox starts and failures per minute, the teams that reached a
 * budget, and when each alert last went out. Team objects report to it after they answer (in `waitUntil`), so it
 * is never on a request's critical path. It also decides on alerts, because
 * a spike is a platform-wide figure no single team object can see.
 *
 * TODO(later): one object serialises every report; past a few hundred
 * requests a second, read these figures from Analytics Engine's SQL API
 * (the same events are written there) and keep only alerts here.
 */
import { DurableObject } from "cloudflare:workers";
import type {
  AlertRecord,
  BudgetOverrun,
  OpsObservabilityResponse,
  TeamToday,
} from "../../contract/observability.ts";
import type { Env } from "../../worker/env.ts";
import { logger, setLogLevel } from "../../worker/logger.ts";
import { type Alert, dedupeKey, isSpike, SPIKE_RULE, shouldSend } from "./alert-rules.ts";
import { sendAlert } from "./alert-webhook.ts";

const MINUTE_MS = 60_000;
const PROVIDER_WINDOW_MS = 15 * MINUTE_MS;
const SANDBOX_WINDOW_MS = 60 * MINUTE_MS;
const KEEP_MINUTES_MS = 2 * 60 * MINUTE_MS;
const TOP_TEAMS = 10;
const OVERRUN_SHOWN_MS = 31 * 24 * 60 * MINUTE_MS;
const BUDGET_NAMES: Record<BudgetOverrun["budget"], string> = {
  tokens_per_day: "tokens for the day",
  dollars_per_month: "budget for the month",
};

const SCHEMA = `
  create table if not exists provider_minute (
    provider text not null,
    minute integer not null,
    calls integer not null,
    errors integer not null,
    primary key (provider, minute)
  ) without rowid;
  create table if not exists team_day (
    day text not null,
    team_id text not null,
    requests integer not null,
    errors integer not null,
    cost_micro_usd integer not null,
    primary key (day, team_id)
  ) without rowid;
  create table if not exists sandbox_minute (
    minute integer primary key,
    starts integer not null,
    failures integer not null
  );
  create table if not exists budget_overrun (
    team_id text not null,
    budget text not null,
    period text not null,
    unit text not null,
    used real not null,
    limit_value real not null,
    reached_at integer not null,
    primary key (team_id, budget, period)
  ) without rowid;
  create table if not exists alerts_sent (
    key text primary key,
    kind text not null,
    summary text not null,
    sent_at integer not null
  );
`;

export type PlatformRequestReport = {
  teamId: string;
  /** Every provider call the turn made (retries and fallbacks included), and whether it failed. */
  calls: { provider: string; failed: boolean }[];
  /** null when the turn succeeded (an abort by the person is not a failure). */
  errorKind: string | null;
  costMicroUsd: number;
};

export class PlatformMetrics extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    setLogLevel(env.KILN_LOG_LEVEL);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(SCHEMA);
  }

  /** Settled turns, summed per provider and per team before they are written. */
  async recordRequests(reports: PlatformRequestReport[], now = Date.now()) {
    const providers = new Map<string, { calls: number; errors: number }>();
    const teams = new Map<string, { requests: number; errors: number; cost: number }>();
    const failing = new Map<string, string>();
    for (const report of reports) {
      for (const call of report.calls) {
        const sums = providers.get(call.provider) ?? { calls: 0, errors: 0 };
        sums.calls += 1;
        sums.errors += call.failed ? 1 : 0;
        providers.set(call.provider, sums);
        if (call.failed) failing.set(call.provider, report.teamId);
      }
      const team = teams.get(report.teamId) ?? { requests: 0, errors: 0, cost: 0 };
      team.requests += 1;
      team.errors += report.errorKind ? 1 : 0;
      team.cost += Math.round(report.costMicroUsd);
      teams.set(report.teamId, team);
    }
    for (const [provider, sums] of providers) {
      this.#sql.exec(
        `insert into provider_minute (provider, minute, calls, errors) values (?, ?, ?, ?)
          on conflict (provider, minute) do update
          set calls = calls + excluded.calls, errors = errors + excluded.errors`,
        provider,
        minuteOf(now),
        sums.calls,
        sums.errors,
      );
    }
    for (const [teamId, sums] of teams) {
      this.#sql.exec(
        `insert into team_day (day, team_id, requests, errors, cost_micro_usd) values (?, ?, ?, ?, ?)
          on conflict (day, team_id) do update
          set requests = requests + excluded.requests, errors = errors + excluded.errors,
              cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd`,
        dayOf(now),
        teamId,
        sums.requests,
        sums.errors,
        sums.cost,
      );
    }
    this.#prune(now);

    for (const [provider, teamId] of failing) await this.#checkProviderSpike(provider, teamId, now);
  }

  async recordSandbox(report: { teamId: string; failed: boolean }, now = Date.now()) {
    this.#sql.exec(
      `insert into sandbox_minute (minute, starts, failures) values (?, 1, ?)
        on conflict (minute) do update set starts = starts + 1, failures = failures + excluded.failures`,
      minuteOf(now),
      report.failed ? 1 : 0,
    );
    if (!report.failed) return;

    const counts = this.#sandboxCounts(now - SPIKE_RULE.windowMs);
    if (!isSpike({ attempts: counts.starts, failures: counts.failures })) return;
    await this.#alert(
      {
        kind: "sandbox_failure_spike",
        subject: "sandboxes",
        summary: `${counts.failures} of ${counts.starts} sandbox starts failed in the last 5 minutes.`,
        details: [["Latest team", report.teamId]],
      },
      now,
    );
  }

  /** Called by a team's breaker when it opens (the gateway's breaker module). */
  async reportBreakerOpened(report: { provider: string; teamId: string; reason: string }) {
    await this.#alert(
      {
        kind: "breaker_open",
        subject: report.provider,
        summary: `The circuit breaker for ${report.provider} opened: ${report.reason}`,
        details: [["Team", report.teamId]],
      },
      Date.now(),
    );
  }

  /**
   * Called by a team's limits module the first time in a period that one of
   * its budgets reaches 100 % (the team object keeps that proof, so a retry
   * or a later turn does not report it again); kept for the ops page and
   * alerted once per team and budget within the window.
   */
  async reportBudgetOverrun(report: Omit<BudgetOverrun, "reachedAt">, now = Date.now()) {
    this.#sql.exec(
      `insert into budget_overrun (team_id, budget, period, unit, used, limit_value, reached_at)
        values (?, ?, ?, ?, ?, ?, ?)
        on conflict (team_id, budget, period) do update
        set used = excluded.used, limit_value = excluded.limit_value`,
      report.teamId,
      report.budget,
      report.period,
      report.unit,
      report.used,
      report.limit,
      now,
    );
    const amount = (value: number) =>
      report.unit === "micro_usd" ? dollars(value) : `${value.toLocaleString("en")} tokens`;
    await this.#alert(
      {
        kind: "budget_overrun",
        subject: `${report.teamId}/${report.budget}`,
        summary: `Team ${report.teamId} has used all of its ${BUDGET_NAMES[report.budget]} (${report.period}).`,
        details: [
          ["Used", amount(report.used)],
          ["Limit", amount(report.limit)],
        ],
      },
      now,
    );
  }

  overview(now = Date.now()): Omit<OpsObservabilityResponse, "switches"> {
    const providers = this.#sql
      .exec<{ provider: string; calls: number; errors: number }>(
        `select provider, sum(calls) as calls, sum(errors) as errors from provider_minute
          where minute >= ? group by provider order by provider`,
        minuteOf(now - PROVIDER_WINDOW_MS),
      )
      .toArray()
      .map((row) => ({
        provider: row.provider,
        requests: row.calls,
        errors: row.errors,
        errorRate: row.calls > 0 ? row.errors / row.calls : null,
      }));
    const sandboxes = this.#sandboxCounts(now - SANDBOX_WINDOW_MS);

    return {
      providers,
      topTeamsByCost: this.#topTeams("cost_micro_usd", now),
      topTeamsByErrors: this.#topTeams("errors", now),
      sandboxes: {
        starts: sandboxes.starts,
        failures: sandboxes.failures,
        failureRate: sandboxes.starts > 0 ? sandboxes.failures / sandboxes.starts : null,
      },
      recentAlerts: this.#sql
        .exec<{ key: string; kind: string; summary: string; sent_at: number }>(
          "select key, kind, summary, sent_at from alerts_sent order by sent_at desc limit 20",
        )
        .toArray()
        .map(
          (row): AlertRecord => ({
            key: row.key,
            kind: row.kind,
            summary: row.summary,
            sentAt: new Date(row.sent_at).toISOString(),
          }),
        ),
      overBudget: this.#overBudget(now),
    };
  }

  #overBudget(now: number): BudgetOverrun[] {
    return this.#sql
      .exec<{
        team_id: string;
        budget: BudgetOverrun["budget"];
        period: string;
        unit: BudgetOverrun["unit"];
        used: number;
        limit_value: number;
        reached_at: number;
      }>(
        `select * from budget_overrun where reached_at >= ? order by reached_at desc limit ?`,
        now - OVERRUN_SHOWN_MS,
        TOP_TEAMS,
      )
      .toArray()
      .map((row) => ({
        teamId: row.team_id,
        budget: row.budget,
        period: row.period,
        unit: row.unit,
        used: row.used,
        limit: row.limit_value,
        reachedAt: new Date(row.reached_at).toISOString(),
      }));
  }

  async #checkProviderSpike(provider: string, teamId: string, now: number) {
    const [counts] = this.#sql
      .exec<{ calls: number; errors: number }>(
        `select coalesce(sum(calls), 0) as calls, coalesce(sum(errors), 0) as errors
          from provider_minute where provider = ? and minute >= ?`,
        provider,
        minuteOf(now - SPIKE_RULE.windowMs),
      )
      .toArray();
    if (!counts || !isSpike({ attempts: counts.calls, failures: counts.errors })) return;

    const teams = this.#topTeams("errors", now)
      .slice(0, 3)
      .map((team) => `${team.teamId} (${team.errors})`)
      .join(", ");
    await this.#alert(
      {
        kind: "provider_error_spike",
        subject: provider,
        summary: `${counts.errors} of ${counts.calls} calls to ${provider} failed in the last 5 minutes.`,
        details: [
          ["Team whose call tipped it", teamId],
          ["Teams with most errors today", teams || "none"],
        ],
      },
      now,
    );
  }

  /** Sends unless the same key went out within the window; the row is written first. */
  async #alert(alert: Alert, now: number) {
    const key = dedupeKey(alert);
    const [last] = this.#sql
      .exec<{ sent_at: number }>("select sent_at from alerts_sent where key = ?", key)
      .toArray();
    if (!shouldSend(last?.sent_at ?? null, now)) return;

    // Recorded before sending: a second failure arriving while the webhook call
    // is in flight must see this alert as sent, or it would alert twice.
    this.#sql.exec(
      `insert into alerts_sent (key, kind, summary, sent_at) values (?, ?, ?, ?)
        on conflict (key) do update set summary = excluded.summary, sent_at = excluded.sent_at`,
      key,
      alert.kind,
      alert.summary,
      now,
    );
    logger.warn("alert.raised", { kind: alert.kind, subject: alert.subject });
    await sendAlert(this.env, alert);
  }

  #topTeams(order: "cost_micro_usd" | "errors", now: number): TeamToday[] {
    return this.#sql
      .exec<{ team_id: string; requests: number; errors: number; cost_micro_usd: number }>(
        `select team_id, requests, errors, cost_micro_usd from team_day
          where day = ? and ${order === "errors" ? "errors > 0" : "requests > 0"}
          order by ${order} desc, requests desc limit ?`,
        dayOf(now),
        TOP_TEAMS,
      )
      .toArray()
      .map((row) => ({
        teamId: row.team_id,
        requests: row.requests,
        errors: row.errors,
        costMicroUsd: row.cost_micro_usd,
      }));
  }

  #sandboxCounts(since: number) {
    const [row] = this.#sql
      .exec<{ starts: number; failures: number }>(
        `select coalesce(sum(starts), 0) as starts, coalesce(sum(failures), 0) as failures
          from sandbox_minute where minute >= ?`,
        minuteOf(since),
      )
      .toArray();
    return { starts: row?.starts ?? 0, failures: row?.failures ?? 0 };
  }

  #prune(now: number) {
    const cutoff = minuteOf(now - KEEP_MINUTES_MS);
    this.#sql.exec("delete from provider_minute where minute < ?", cutoff);
    this.#sql.exec("delete from sandbox_minute where minute < ?", cutoff);
    this.#sql.exec("delete from team_day where day < ?", dayOf(now - 7 * 24 * 60 * MINUTE_MS));
    this.#sql.exec("delete from budget_overrun where reached_at < ?", now - OVERRUN_SHOWN_MS);
  }
}

function minuteOf(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}

function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function dollars(microUsd: number): string {
  return `$${(microUsd / 1_000_000).toFixed(2)}`;
}

/** The one instance every team object and the ops API talk to. */
export function platformMetrics(env: Env) {
  return env.PLATFORM_METRICS.get(env.PLATFORM_METRICS.idFromName("platform"));
}
