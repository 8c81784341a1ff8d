/**
 * A small line chart over time, drawn by uPlot (about 50 kB, canvas, no
 * dependencies). uPlot is imported when a chart first mounts, so pages
 * without charts never load it.
 */
import { useEffect, useRef } from "react";
import "uplot/dist/uPlot.min.css";

export type ChartSeries = { label: string; values: (number | null)[]; color: string };

export type TimeSeriesChartProps = {
  title: string;
  /** Bucket start times, epoch seconds. */
  times: number[];
  series: ChartSeries[];
  /** Formats the y axis and the legend values. */
  formatValue?: (value: number) => string;
  height?: number;
  /** The top of the y axis when it is known (1 for a rate); otherwise a little above the data. */
  maxValue?: number;
  /** Shown instead of the chart when there is nothing to draw (a series-less chart). */
  empty?: string | undefined;
};

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const { title, times, series, formatValue, height = 160, empty, maxValue } = props;

  useEffect(() => {
    const element = container.current;
    if (!element || empty) return;
    let chart: { destroy(): void } | undefined;
    let cancelled = false;

    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const format = formatValue ?? ((value: number) => String(value));
      chart = new UPlot(
        {
          width: Math.max(element.clientWidth, 240),
          height,
          legend: { show: true },
          // Room on the right for the last bucket's point and the last time label.
          padding: [8, 28, 0, 0],
          scales: {
            x: { time: true },
            // Figures are never negative; from 0, a single busy minute reads as what it is.
            y: { range: (_chart, _min, max) => [0, maxValue ?? (max > 0 ? max * 1.1 : 1)] },
          },
          axes: [
            { stroke: "currentColor" },
            {
              stroke: "currentColor",
              size: 72,
              values: (_chart, ticks) => ticks.map((tick) => format(tick)),
            },
          ],
          series: [
            {},
            ...series.map((line) => ({
              label: line.label,
              stroke: line.color,
              width: 2,
              spanGaps: true,
              // A percentile or a rate is missing in buckets without requests: with
              // one busy minute, a line has nothing to join, so its points are drawn.
              points: { show: line.values.includes(null), size: 6 },
              value: (_chart: unknown, value: number | null) =>
                value === null ? "–" : format(value),
            })),
          ],
        },
        [times, ...series.map((line) => line.values)],
        element,
      );
    });

    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [times, series, formatValue, height, empty, maxValue]);

  return (
    <figure className="metrics-chart">
      <figcaption className="metrics-chart__title">{title}</figcaption>
      {empty ? (
        <p className="metrics-chart__empty" style={{ height }}>
          {empty}
        </p>
      ) : (
        <div ref={container} className="metrics-chart__canvas" />
      )}
    </figure>
  );
}
