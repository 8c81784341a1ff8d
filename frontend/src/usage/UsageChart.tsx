import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { UsageTotals } from "./aggregate.ts";

export type UsageChartProps = { days: UsageTotals[] };

/** Cost and tokens per day. uPlot is small, and this file is loaded only on the usage page. */
export default function UsageChart({ days }: UsageChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element || days.length === 0) return;

    const x = days.map((day) => Date.parse(`${day.key}T00:00:00Z`) / 1000);
    const cost = days.map((day) => day.costMicroUsd / 1_000_000);
    const tokens = days.map((day) => day.inputTokens + day.outputTokens);
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 220,
        scales: { x: { time: true }, usd: {}, tokens: {} },
        series: [
          {},
          { label: "Cost ($)", scale: "usd", stroke: "#d9480f", width: 2, points: { size: 6 } },
          { label: "Tokens", scale: "tokens", stroke: "#2563eb", width: 2, points: { size: 6 } },
        ],
        axes: [{}, { scale: "usd", label: "$" }, { scale: "tokens", side: 1, label: "tokens" }],
      },
      [x, cost, tokens],
      element,
    );
    return () => plot.destroy();
  }, [days]);

  return (
    <div ref={container} className="usage-chart" role="img" aria-label="Cost and tokens per day" />
  );
}
