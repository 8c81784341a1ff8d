/**
 * The observability half of the ops page: provider error rates, the teams
 * with the highest cost and the most errors today, the teams over budget,
 * sandbox failure rates, recent alerts and the incident switches. Loads its own figures and
 * refreshes every 30 seconds.
 */
import { useCallback } from "react";
import type { IncidentSwitches } from "../../../../contract/observability.ts";
import { ErrorNotice } from "../../layout/ErrorNotice.tsx";
import { getOpsObservability } from "../api.ts";
import { usePolled } from "../use-polled.ts";
import { IncidentSwitchesPanel } from "./IncidentSwitchesPanel.tsx";
import { OverBudgetTeams } from "./OverBudgetTeams.tsx";
import { ProviderErrorRates } from "./ProviderErrorRates.tsx";
import { RecentAlerts } from "./RecentAlerts.tsx";
import { SandboxFailureRates } from "./SandboxFailureRates.tsx";
import { TopTeamsToday } from "./TopTeamsToday.tsx";
import "../metrics.css";

const REFRESH_MS = 30_000;

export function OpsObservability() {
  const { state, refresh } = usePolled(getOpsObservability, REFRESH_MS);
  const onChanged = useCallback((_switches: IncidentSwitches) => void refresh(), [refresh]);

  if (state.status === "loading") return <p className="muted">Loading platform figures…</p>;
  if (state.status === "error") {
    return <ErrorNotice title="Platform figures could not be loaded" error={state.error} />;
  }

  const figures = state.data;
  return (
    <div className="obs-observability">
      {state.error ? <ErrorNotice title="Refresh failed" error={state.error} /> : null}
      <div className="obs-grid">
        <ProviderErrorRates providers={figures.providers} />
        <SandboxFailureRates sandboxes={figures.sandboxes} />
        <TopTeamsToday byCost={figures.topTeamsByCost} byErrors={figures.topTeamsByErrors} />
        <OverBudgetTeams overruns={figures.overBudget} />
        <IncidentSwitchesPanel switches={figures.switches} onChanged={onChanged} />
        <RecentAlerts alerts={figures.recentAlerts} />
      </div>
    </div>
  );
}
