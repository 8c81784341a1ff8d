/**
 * The team's dashboard figures: requests and errors, latency and time to
 * first token percentiles, cache hit rate, tokens, cost and sandboxes, for
 * the last hour by minute or the last day by hour, each as a tile (the
 * range's total) and a chart. The usage page includes it; it loads its own
 * figures (`GET /api/metrics`) and refreshes each minute.
 */
import { useMemo, useState } from "react";
import type { MetricsPoint } from "../../../contract/observability.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import { getTeamMetrics } from "./api.ts";
import { count, dollars, milliseconds, percent } from "./format.ts";
import { TimeSeriesChart } from "./TimeSeriesChart.tsx";
import { usePolled } from "./use-polled.ts";
import "./metrics.css";

const REFRESH_MS = 60_000;

type Range = "hour" | "day";

export function TeamMetricsPanel() {
  const { state } = usePolled(getTeamMetrics, REFRESH_MS);
  const [range, setRange] = useState<Range>("hour");
  const points =
    state.status === "ready" ? (range === "hour" ? state.data.minutes : state.data.hours) : [];
  const charts = useMemo(() => chartData(points), [points]);

  if (state.status === "loading") return <p className="muted">Loading the team's figures…</p>;
  if (state.status === "error") {
    return <ErrorNotice title="The team's figures could not be loaded" error={state.error} />;
  }

  const totals = summarise(points);
  return (
    <section className="metrics-panel" aria-label="Team metrics">
      <header className="metrics-panel__header">
        <h2>Team activity</h2>
        <div className="metrics-panel__range">
          {(["hour", "day"] as const).map((option) => (
            <button
              key={option}
              type="button"
              className={`button button--small${range === option ? " button--primary" : ""}`}
              aria-pressed={range === option}
              onClick={() => setRange(option)}
            >
              {option === "hour" ? "Last hour" : "Last day"}
            </button>
          ))}
        </div>
      </header>

      <dl className="metrics-tiles">
        <Tile label="Requests" value={count(totals.requests)} />
        <Tile label="Errors" value={`${count(totals.errors)} (${percent(totals.errorRate)})`} />
        <Tile label="Cache hit rate" value={percent(totals.cacheHitRate)} />
        <Tile
          label="Tokens in / out"
          value={`${count(totals.inputTokens)} / ${count(totals.outputTokens)}`}
        />
        <Tile label="Cost" value={dollars(totals.costMicroUsd)} />
        <Tile
          label="Sandboxes"
          value={`${count(totals.sandboxStarts)} (${count(totals.sandboxFailures)} failed)`}
        />
      </dl>

      <div className="metrics-charts">
        <TimeSeriesChart title="Requests and errors" times={charts.times} series={charts.traffic} />
        <TimeSeriesChart
          title="Errors by kind"
          times={charts.times}
          series={charts.errorKinds}
          empty={charts.errorKinds.length === 0 ? "No errors in this range." : undefined}
        />
        <TimeSeriesChart
          title="Latency"
          times={charts.times}
          series={charts.latency}
          formatValue={milliseconds}
        />
        <TimeSeriesChart
          title="Time to first token"
          times={charts.times}
          series={charts.firstToken}
          formatValue={milliseconds}
        />
        <TimeSeriesChart
          title="Cache hit rate"
          times={charts.times}
          series={charts.cacheHits}
          formatValue={percent}
          maxValue={1}
        />
        <TimeSeriesChart
          title="Tokens"
          times={charts.times}
          series={charts.tokens}
          formatValue={count}
        />
        <TimeSeriesChart
          title="Cost"
          times={charts.times}
          series={charts.cost}
          formatValue={dollars}
        />
        <TimeSeriesChart title="Sandboxes" times={charts.times} series={charts.sandboxes} />
      </div>
    </section>
  );
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div className="metrics-tile">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function chartData(points: MetricsPoint[]) {
  const times = points.map((point) => Date.parse(point.start) / 1_000);
  return {
    times,
    traffic: [
      { label: "requests", color: "#2563eb", values: points.map((point) => point.requests) },
      { label: "errors", color: "#d92d20", values: points.map((point) => point.errors) },
    ],
    errorKinds: errorKindSeries(points),
    latency: percentileSeries(points.map((point) => point.latencyMs)),
    firstToken: percentileSeries(points.map((point) => point.timeToFirstTokenMs)),
    cacheHits: [
      { label: "hit rate", color: "#7a5af8", values: points.map((point) => point.cacheHitRate) },
    ],
    tokens: [
      { label: "in", color: "#2563eb", values: points.map((point) => point.inputTokens) },
      { label: "out", color: "#12b76a", values: points.map((point) => point.outputTokens) },
    ],
    cost: [{ label: "cost", color: "#f79009", values: points.map((point) => point.costMicroUsd) }],
    sandboxes: [
      { label: "started", color: "#2563eb", values: points.map((point) => point.sandboxStarts) },
      { label: "failed", color: "#d92d20", values: points.map((point) => point.sandboxFailures) },
    ],
  };
}

const KIND_COLORS = ["#d92d20", "#f79009", "#7a5af8", "#0ba5ec", "#667085", "#c11574"];

/** One line per error kind seen in the range, zero in buckets without it. */
function errorKindSeries(points: MetricsPoint[]) {
  const kinds = [...new Set(points.flatMap((point) => Object.keys(point.errorsByKind)))].sort();
  return kinds.map((kind, index) => ({
    label: kind,
    color: KIND_COLORS[index % KIND_COLORS.length] ?? "#d92d20",
    values: points.map((point) => point.errorsByKind[kind] ?? 0),
  }));
}

function percentileSeries(values: MetricsPoint["latencyMs"][]) {
  return [
    { label: "p50", color: "#12b76a", values: values.map((value) => value?.p50 ?? null) },
    { label: "p95", color: "#f79009", values: values.map((value) => value?.p95 ?? null) },
    { label: "p99", color: "#d92d20", values: values.map((value) => value?.p99 ?? null) },
  ];
}

function summarise(points: MetricsPoint[]) {
  const sum = (pick: (point: MetricsPoint) => number) =>
    points.reduce((total, point) => total + pick(point), 0);
  const requests = sum((point) => point.requests);
  const errors = sum((point) => point.errors);
  const cacheHits = sum((point) => (point.cacheHitRate ?? 0) * point.requests);
  const errorsByKind: Record<string, number> = {};
  for (const point of points) {
    for (const [kind, errorCount] of Object.entries(point.errorsByKind)) {
      errorsByKind[kind] = (errorsByKind[kind] ?? 0) + errorCount;
    }
  }
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    cacheHitRate: requests > 0 ? cacheHits / requests : null,
    inputTokens: sum((point) => point.inputTokens),
    outputTokens: sum((point) => point.outputTokens),
    costMicroUsd: sum((point) => point.costMicroUsd),
    sandboxStarts: sum((point) => point.sandboxStarts),
    sandboxFailures: sum((point) => point.sandboxFailures),
    errorsByKind,
  };
}
