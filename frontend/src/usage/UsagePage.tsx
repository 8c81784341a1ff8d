/**
 * `/usage`: the team's budgets, limits, its rolling activity figures (the
 * last hour or day: requests, errors, latency, cache, tokens, cost,
 * sandboxes), and usage per day, model and person, with a chart and a CSV
 * export. Owners and admins see the whole team;
 * others see their own rows (the server decides, `scope` says which).
 */
import { lazy, Suspense, useEffect, useState } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import { formatMicroUsd } from "../../../contract/limits.ts";
import type { UsageResponse } from "../../../contract/usage.ts";
import { apiFetch, apiRequest } from "../api/client.ts";
import type { ApiError } from "../api/errors.ts";
import type { Session } from "../auth/session-store.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import { Header } from "../layout/Header.tsx";
import { TeamMetricsPanel } from "../metrics/TeamMetricsPanel.tsx";
import { totalsBy } from "./aggregate.ts";
import { BudgetBars } from "./BudgetBars.tsx";
import { UsageTable } from "./UsageTable.tsx";
import "./usage.css";

const UsageChart = lazy(() => import("./UsageChart.tsx"));

type State =
  | { status: "loading" }
  | { status: "error"; error: ApiError }
  | { status: "ready"; usage: UsageResponse };

export default function UsagePage({ config, session }: { config: ClientConfig; session: Session }) {
  const [state, setState] = useState<State>({ status: "loading" });
  const [exportError, setExportError] = useState<ApiError | null>(null);

  useEffect(() => {
    void apiRequest<UsageResponse>("/api/usage").then((result) =>
      setState(
        result.ok
          ? { status: "ready", usage: result.data }
          : { status: "error", error: result.error },
      ),
    );
  }, []);

  const exportCsv = async () => {
    const result = await apiFetch("/api/usage.csv");
    if (!result.ok) return setExportError(result.error);
    const url = URL.createObjectURL(await result.data.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = "kiln-usage.csv";
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="app">
      <Header config={config} email={session.user.email} />
      <main className="usage-page">
        <div className="usage-page__title">
          <h1>Usage</h1>
          <a href="/" className="button button--ghost">
            Back to chat
          </a>
          <button type="button" className="button" onClick={() => void exportCsv()}>
            Export CSV
          </button>
        </div>
        {exportError ? <ErrorNotice title="Export failed" error={exportError} /> : null}
        {state.status === "loading" ? <p role="status">Loading usage…</p> : null}
        {state.status === "error" ? (
          <ErrorNotice title="Could not load usage" error={state.error} />
        ) : null}
        {state.status === "ready" ? <UsageReport usage={state.usage} /> : null}
      </main>
    </div>
  );
}

function UsageReport({ usage }: { usage: UsageResponse }) {
  const days = totalsBy(usage.rows, (row) => row.day);
  const models = totalsBy(usage.rows, (row) => row.model);
  const people = totalsBy(usage.rows, (row) => usage.people[row.userId] ?? row.userId);
  const { limits } = usage.limits;

  return (
    <>
      <p className="usage-scope">
        {usage.scope === "team" ? "The whole team" : "Your own usage"}, {usage.from} to {usage.to}.
        Plan <strong>{usage.limits.plan}</strong>: {limits.requestsPerMinute} requests a minute,{" "}
        {limits.concurrentGenerations} answers at once, {limits.tokensPerDay.toLocaleString()}{" "}
        tokens a day, {formatMicroUsd(limits.dollarsPerMonthMicroUsd)} a month,{" "}
        {limits.concurrentSandboxes} sandboxes at once.
      </p>
      <BudgetBars budgets={usage.budgets} alerts={usage.alerts} />
      <TeamMetricsPanel />
      <section className="usage-section" aria-label="Per day chart">
        <h2>Per day</h2>
        <Suspense fallback={<div className="usage-chart" />}>
          <UsageChart days={days} />
        </Suspense>
      </section>
      <UsageTable title="By day" keyLabel="Day" totals={days} />
      <UsageTable title="By model" keyLabel="Model" totals={models} />
      <UsageTable title="By person" keyLabel="Person" totals={people} />
    </>
  );
}
