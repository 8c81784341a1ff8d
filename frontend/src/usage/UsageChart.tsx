import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { dollars } from "../metrics/format.ts";
import type { UsageTotals } from "./aggregate.ts";

const DAY_SECONDS = 86_400;

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
        scales: {
          // One day alone would get an axis of years around it: show a day either side.
          x: {
            time: true,
            auto: false,
            min: (x[0] ?? 0) - DAY_SECONDS,
            max: (x.at(-1) ?? 0) + DAY_SECONDS,
          },
          usd: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
          tokens: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        series: [
          {},
          { label: "Cost ($)", scale: "usd", stroke: "#d9480f", width: 2, points: { size: 6 } },
          { label: "Tokens", scale: "tokens", stroke: "#2563eb", width: 2, points: { size: 6 } },
        ],
        axes: [
          {},
          {
            scale: "usd",
            label: "$",
            size: 80,
            // Small spends need more than two decimals, or every tick reads "0".
            values: (_plot, ticks) => ticks.map((tick) => dollars(tick * 1_000_000)),
          },
          { scale: "tokens", side: 1, label: "tokens" },
        ],
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
