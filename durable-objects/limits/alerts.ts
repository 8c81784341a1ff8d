/**
 * Budget alerts at 80 % and 100 %: each threshold fires once per budget per
 * period (a row in `limit_alerts_sent` is the proof it was sent), is logged,
 * and is posted to the team's webhook when one is configured. The SPA reads
 * the same rows through `GET /api/usage`.
 */
import type { BudgetAlert, BudgetView } from "../../contract/usage.ts";
import { logger } from "../../worker/logger.ts";

export const ALERT_THRESHOLDS = [80, 100] as const;
const WEBHOOK_TIMEOUT_MS = 5_000;

export type BudgetUse = { name: BudgetView["name"]; period: string; used: number; limit: number };

export class BudgetAlerts {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Records and returns the thresholds crossed for the first time in their period. */
  crossed(budgets: BudgetUse[], now: number): (BudgetAlert & BudgetUse)[] {
    const fresh: (BudgetAlert & BudgetUse)[] = [];
    for (const budget of budgets) {
      for (const threshold of ALERT_THRESHOLDS) {
        if (budget.used * 100 < budget.limit * threshold) continue;
        const inserted = this.#sql.exec(
          `insert into limit_alerts_sent (budget, period, threshold, sent_at) values (?, ?, ?, ?)
            on conflict do nothing`,
          budget.name,
          budget.period,
          threshold,
          now,
        ).rowsWritten;
        if (inserted > 0) {
          fresh.push({
            ...budget,
            budget: budget.name,
            threshold,
            sentAt: new Date(now).toISOString(),
          });
        }
      }
    }
    return fresh;
  }

  list(periods: string[]): BudgetAlert[] {
    if (periods.length === 0) return [];
    const marks = periods.map(() => "?").join(", ");
    return this.#sql
      .exec<{ budget: BudgetAlert["budget"]; period: string; threshold: number; sent_at: number }>(
        `select * from limit_alerts_sent where period in (${marks}) order by sent_at`,
        ...periods,
      )
      .toArray()
      .map((row) => ({
        budget: row.budget,
        period: row.period,
        threshold: row.threshold === 100 ? 100 : 80,
        sentAt: new Date(row.sent_at).toISOString(),
      }));
  }
}

/** Logs an alert and posts it to the team's webhook; a failing webhook is logged, never thrown. */
export async function announceAlert(options: {
  teamId: string;
  alert: BudgetAlert & BudgetUse;
  webhookUrl: string | undefined;
}): Promise<void> {
  const { alert, teamId } = options;
  logger.warn("budget.alert", {
    teamId,
    budget: alert.budget,
    period: alert.period,
    threshold: alert.threshold,
    used: alert.used,
    limit: alert.limit,
  });
  if (!options.webhookUrl) return;

  try {
    const response = await fetch(options.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "kiln.budget_alert", teamId, ...alert }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) logger.warn("budget.webhook_failed", { teamId, status: response.status });
  } catch (error) {
    logger.warn("budget.webhook_failed", { teamId, error: String(error) });
  }
}
