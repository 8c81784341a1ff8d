import { formatMicroUsd } from "../../../contract/limits.ts";
import type { BudgetAlert, BudgetView } from "../../../contract/usage.ts";

const NAMES: Record<BudgetView["name"], string> = {
  tokens_per_day: "Tokens today",
  dollars_per_month: "Spend this month",
};

function figure(budget: BudgetView, value: number): string {
  return budget.unit === "micro_usd" ? formatMicroUsd(value) : value.toLocaleString();
}

/** Each budget as a bar: used, reserved by answers in progress, and what is left. */
export function BudgetBars({ budgets, alerts }: { budgets: BudgetView[]; alerts: BudgetAlert[] }) {
  return (
    <section className="usage-section" aria-label="Budgets">
      <h2>Budgets</h2>
      {budgets.map((budget) => {
        const usedPercent = Math.min(100, (budget.used / budget.limit) * 100);
        const reservedPercent = Math.min(100 - usedPercent, (budget.reserved / budget.limit) * 100);
        const left = Math.max(0, budget.limit - budget.used - budget.reserved);
        const raised = alerts.filter((alert) => alert.budget === budget.name);
        return (
          <div key={budget.name} className="budget" data-testid={`budget-${budget.name}`}>
            <div className="budget__label">
              <strong>{NAMES[budget.name]}</strong>
              <span>
                {figure(budget, budget.used)} of {figure(budget, budget.limit)} ·{" "}
                {figure(budget, left)} left · resets {new Date(budget.resetAt).toLocaleString()}
              </span>
            </div>
            {/* The figures are in the label above; the bar only draws them. */}
            <div className="budget__bar" aria-hidden="true">
              <span
                className={`budget__used${usedPercent >= 100 ? " budget__used--full" : ""}`}
                style={{ width: `${usedPercent}%` }}
              />
              <span className="budget__reserved" style={{ width: `${reservedPercent}%` }} />
            </div>
            {raised.map((alert) => (
              <p key={alert.threshold} className="budget__alert" role="status">
                {alert.threshold === 100
                  ? "Budget used up: new messages wait until it resets or an admin raises it."
                  : "80 % of this budget is used."}{" "}
                ({new Date(alert.sentAt).toLocaleString()})
              </p>
            ))}
          </div>
        );
      })}
    </section>
  );
}
