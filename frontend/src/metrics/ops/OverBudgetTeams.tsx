import type { BudgetOverrun } from "../../../../contract/observability.ts";
import { count, dollars } from "../format.ts";

const BUDGET_LABELS: Record<BudgetOverrun["budget"], string> = {
  tokens_per_day: "Tokens a day",
  dollars_per_month: "Dollars a month",
};

/** Teams that reached one of their budgets (each alerted once), latest first. */
export function OverBudgetTeams({ overruns }: { overruns: BudgetOverrun[] }) {
  const amount = (overrun: BudgetOverrun, value: number) =>
    overrun.unit === "micro_usd" ? dollars(value) : count(value);
  return (
    <section className="obs-card" aria-label="Teams over budget">
      <h3>Teams over budget</h3>
      {overruns.length === 0 ? (
        <p className="muted">No team has reached a budget in the last 31 days.</p>
      ) : (
        <table className="obs-table">
          <thead>
            <tr>
              <th>Team</th>
              <th>Budget</th>
              <th>Period</th>
              <th className="number">Used / limit</th>
            </tr>
          </thead>
          <tbody>
            {overruns.map((overrun) => (
              <tr key={`${overrun.teamId}/${overrun.budget}/${overrun.period}`}>
                <td>
                  <code title={overrun.teamId}>{overrun.teamId.slice(0, 8)}</code>
                </td>
                <td>{BUDGET_LABELS[overrun.budget]}</td>
                <td>{overrun.period}</td>
                <td className="number">
                  {amount(overrun, overrun.used)} / {amount(overrun, overrun.limit)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
