import { useEffect, useState } from "react";
import type { BudgetAlert, UsageResponse } from "../../../contract/usage.ts";
import { apiRequest } from "../api/client.ts";

const NAMES: Record<BudgetAlert["budget"], string> = {
  tokens_per_day: "today's token budget",
  dollars_per_month: "this month's budget",
};

/**
 * The team's budget alerts (80 % and 100 %) above the composer. Read again
 * whenever an answer ends (`refreshKey` changes), since that is when usage moves.
 */
export function BudgetBanner({ refreshKey }: { refreshKey: number }) {
  const [alerts, setAlerts] = useState<BudgetAlert[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the signal to read again
  useEffect(() => {
    let current = true;
    const today = new Date().toISOString().slice(0, 10);
    void apiRequest<UsageResponse>(`/api/usage?from=${today}&to=${today}`).then((result) => {
      if (current && result.ok) setAlerts(result.data.alerts);
    });
    return () => {
      current = false;
    };
  }, [refreshKey]);

  // Per budget, only the highest threshold reached matters.
  const highest = new Map<BudgetAlert["budget"], BudgetAlert>();
  for (const alert of alerts) {
    const seen = highest.get(alert.budget);
    if (!seen || seen.threshold < alert.threshold) highest.set(alert.budget, alert);
  }
  if (highest.size === 0) return null;

  return (
    <div className="budget-banner" role="status" data-testid="budget-banner">
      {[...highest.values()].map((alert) => (
        <p key={alert.budget}>
          {alert.threshold === 100
            ? `Your team has used all of ${NAMES[alert.budget]}.`
            : `Your team has used 80 % of ${NAMES[alert.budget]}.`}{" "}
          <a href="/usage">See usage</a>
        </p>
      ))}
    </div>
  );
}
