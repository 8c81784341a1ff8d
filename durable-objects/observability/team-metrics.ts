/**
 * The team's rolling figures: per minute for the last two hours and per
 * hour for the last two days, in the team object's SQLite. One row per
 * (granularity, bucket, figure) holding a single number, so every sample is
 * a few upserts of tiny rows and no row ever grows; latency and time to
 * first token are kept as bucket counts (histogram.ts) for percentiles.
 *
 * Samples are summed in memory and written at most every FLUSH_MS, in one
 * statement, and before every read: at hundreds of requests a second to one
 * team, one upsert per request was a share of the object's time of its own.
 * A crash of the object loses at most that last second of figures.
 */
import type { MetricsPoint, TeamMetricsResponse } from "../../contract/observability.ts";
import { bucketIndex, percentiles } from "./histogram.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const KEEP_MINUTE_ROWS_MS = 2 * HOUR_MS;
const KEEP_HOUR_ROWS_MS = 48 * HOUR_MS;
const SHOWN_MINUTES = 60;
const SHOWN_HOURS = 24;
const FLUSH_MS = 1_000;
/** SQLite's default limit on a statement's bound parameters is 32,766; four per row. */
const MAX_ROWS_PER_STATEMENT = 1_000;

const SCHEMA = `
  create table if not exists team_metrics (
    granularity text not null,
    bucket_start integer not null,
    name text not null,
    value real not null,
    primary key (granularity, bucket_start, name)
  ) without rowid;
`;

type Granularity = "minute" | "hour";

/** One settled chat request, as the metrics see it. */
export type RequestSample = {
  /** null when the request succeeded. */
  errorKind: string | null;
  latencyMs: number;
  /** null when no text arrived. */
  timeToFirstTokenMs: number | null;
  cacheHit: boolean;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
};

export class TeamMetrics {
  readonly #sql: SqlStorage;
  #prunedAt = 0;
  /** Sums not yet written, by granularity, bucket start and figure name. */
  #pending = new Map<
    string,
    { granularity: Granularity; start: number; name: string; value: number }
  >();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  recordRequest(sample: RequestSample, now: number) {
    const figures: [string, number][] = [
      ["requests", 1],
      [`latency.${bucketIndex(sample.latencyMs)}`, 1],
      ["cache_hits", sample.cacheHit ? 1 : 0],
      ["input_tokens", sample.inputTokens],
      ["output_tokens", sample.outputTokens],
      ["cost_micro_usd", sample.costMicroUsd],
    ];
    if (sample.errorKind) figures.push(["errors", 1], [`error.${sample.errorKind}`, 1]);
    if (sample.timeToFirstTokenMs !== null) {
      figures.push([`ttft.${bucketIndex(sample.timeToFirstTokenMs)}`, 1]);
    }
    this.#add(figures, now);
  }

  /** A failed start is still a start: failures / starts is the failure rate, as on the ops page. */
  recordSandbox(options: { failed: boolean }, now: number) {
    this.#add(
      [
        ["sandbox_starts", 1],
        ["sandbox_failures", options.failed ? 1 : 0],
      ],
      now,
    );
  }

  read(teamId: string, now: number): TeamMetricsResponse {
    this.flush(now);
    return {
      teamId,
      minutes: this.#series("minute", MINUTE_MS, SHOWN_MINUTES, now),
      hours: this.#series("hour", HOUR_MS, SHOWN_HOURS, now),
    };
  }

  /** Every figure of a sample, at both granularities, into the sums to write. */
  #add(figures: [string, number][], now: number) {
    for (const [granularity, size] of [
      ["minute", MINUTE_MS],
      ["hour", HOUR_MS],
    ] as const) {
      const start = Math.floor(now / size) * size;
      for (const [name, value] of figures) {
        if (value === 0 && name !== "requests") continue;
        const key = `${granularity}|${start}|${name}`;
        const pending = this.#pending.get(key);
        if (pending) pending.value += value;
        else this.#pending.set(key, { granularity, start, name, value });
      }
    }
    this.#flushTimer ??= setTimeout(() => this.flush(Date.now()), FLUSH_MS);
  }

  /** Writes the pending sums now, a statement per MAX_ROWS_PER_STATEMENT rows. */
  flush(now: number) {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const pending = [...this.#pending.values()];
    this.#pending = new Map();
    for (let from = 0; from < pending.length; from += MAX_ROWS_PER_STATEMENT) {
      const rows = pending.slice(from, from + MAX_ROWS_PER_STATEMENT);
      this.#sql.exec(
        `insert into team_metrics (granularity, bucket_start, name, value)
          values ${rows.map(() => "(?, ?, ?, ?)").join(", ")}
          on conflict (granularity, bucket_start, name) do update set value = value + excluded.value`,
        ...rows.flatMap((row) => [row.granularity, row.start, row.name, row.value]),
      );
    }
    this.#prune(now);
  }

  /** At most once a minute: old rows go, so the table stays a few thousand rows. */
  #prune(now: number) {
    if (now - this.#prunedAt < MINUTE_MS) return;
    this.#prunedAt = now;
    this.#sql.exec(
      `delete from team_metrics
        where (granularity = 'minute' and bucket_start < ?)
           or (granularity = 'hour' and bucket_start < ?)`,
      now - KEEP_MINUTE_ROWS_MS,
      now - KEEP_HOUR_ROWS_MS,
    );
  }

  #series(granularity: Granularity, size: number, count: number, now: number): MetricsPoint[] {
    const last = Math.floor(now / size) * size;
    const first = last - (count - 1) * size;
    const rows = this.#sql
      .exec<{ bucket_start: number; name: string; value: number }>(
        `select bucket_start, name, value from team_metrics
          where granularity = ? and bucket_start >= ? order by bucket_start`,
        granularity,
        first,
      )
      .toArray();

    const byBucket = new Map<number, Map<string, number>>();
    for (const row of rows) {
      const figures = byBucket.get(row.bucket_start) ?? new Map<string, number>();
      figures.set(row.name, row.value);
      byBucket.set(row.bucket_start, figures);
    }

    const points: MetricsPoint[] = [];
    for (let start = first; start <= last; start += size) {
      points.push(toPoint(start, byBucket.get(start) ?? new Map()));
    }
    return points;
  }
}

function toPoint(start: number, figures: Map<string, number>): MetricsPoint {
  const value = (name: string) => figures.get(name) ?? 0;
  const histogram = (prefix: string) => {
    const counts = new Map<number, number>();
    for (const [name, count] of figures) {
      if (name.startsWith(prefix)) counts.set(Number(name.slice(prefix.length)), count);
    }
    return counts;
  };
  const errorsByKind: Record<string, number> = {};
  for (const [name, count] of figures) {
    if (name.startsWith("error.")) errorsByKind[name.slice("error.".length)] = count;
  }

  const requests = value("requests");
  return {
    start: new Date(start).toISOString(),
    requests,
    errors: value("errors"),
    errorsByKind,
    latencyMs: percentiles(histogram("latency.")),
    timeToFirstTokenMs: percentiles(histogram("ttft.")),
    cacheHitRate: requests > 0 ? value("cache_hits") / requests : null,
    inputTokens: value("input_tokens"),
    outputTokens: value("output_tokens"),
    costMicroUsd: value("cost_micro_usd"),
    sandboxStarts: value("sandbox_starts"),
    sandboxFailures: value("sandbox_failures"),
  };
}
