/**
 * What the metrics and ops routes answer, shared by the Worker and the SPA.
 * Figures are per bucket (a minute or an hour); money is in micro-dollars.
 */
import { z } from "zod";
import { providerIdSchema } from "./routing.ts";

export type MetricsPoint = {
  /** Start of the bucket, ISO time. */
  start: string;
  requests: number;
  errors: number;
  /** Errors by kind: rate_limited, unavailable, auth, ... */
  errorsByKind: Record<string, number>;
  latencyMs: Percentiles | null;
  timeToFirstTokenMs: Percentiles | null;
  /** Share of requests answered from the prompt cache, 0..1; null with no requests. */
  cacheHitRate: number | null;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  /** Sandbox runs that tried to create a sandbox, failed ones included. */
  sandboxStarts: number;
  /** Of those, the ones that never became ready (or, for Python, never ran to their end). */
  sandboxFailures: number;
};

export type Percentiles = { p50: number; p95: number; p99: number };

/** `GET /api/metrics`: the last hour by minute and the last day by hour. */
export type TeamMetricsResponse = {
  teamId: string;
  minutes: MetricsPoint[];
  hours: MetricsPoint[];
};

export type ProviderHealth = {
  provider: string;
  /** Over the last 15 minutes. */
  requests: number;
  errors: number;
  errorRate: number | null;
};

export type TeamToday = {
  teamId: string;
  requests: number;
  errors: number;
  costMicroUsd: number;
};

export type SandboxHealth = {
  /** Over the last hour. */
  starts: number;
  failures: number;
  failureRate: number | null;
};

export type AlertRecord = { key: string; kind: string; summary: string; sentAt: string };

/** A team at 100 % of one of its budgets in that budget's current period. */
export type BudgetOverrun = {
  teamId: string;
  budget: "tokens_per_day" | "dollars_per_month";
  /** The budget's period: a UTC day (`2026-12-04`) or month (`2026-12`). */
  period: string;
  unit: "tokens" | "micro_usd";
  used: number;
  limit: number;
  /** When the team first reached its limit in this period. */
  reachedAt: string;
};

/** `GET /api/ops/observability`: platform-wide figures for the ops page. */
export type OpsObservabilityResponse = {
  providers: ProviderHealth[];
  topTeamsByCost: TeamToday[];
  topTeamsByErrors: TeamToday[];
  sandboxes: SandboxHealth;
  recentAlerts: AlertRecord[];
  /** Teams that reached a budget in the last 31 days, latest first. */
  overBudget: BudgetOverrun[];
  switches: IncidentSwitches;
};

/**
 * Incident switches, kept in KV and read by every request (cached up to a
 * minute): they act within a minute of a change, without a deploy.
 */
export const incidentSwitchesSchema = z.object({
  /** New sandboxes are refused everywhere; running ones are left alone. */
  sandboxesDisabled: z.boolean(),
  /** Providers no request may use: added to the routing config's disabled providers. */
  providersOff: z.array(providerIdSchema).max(10),
  /** When set, every chat uses this provider and model, whatever the request or route asks. */
  forcedFallback: z
    .object({ provider: providerIdSchema, model: z.string().trim().min(1).max(100) })
    .nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type IncidentSwitches = z.infer<typeof incidentSwitchesSchema>;

export const incidentSwitchesUpdateSchema = incidentSwitchesSchema
  .pick({ sandboxesDisabled: true, providersOff: true, forcedFallback: true })
  .partial();
export type IncidentSwitchesUpdate = z.infer<typeof incidentSwitchesUpdateSchema>;

export const NO_INCIDENT_SWITCHES: IncidentSwitches = {
  sandboxesDisabled: false,
  providersOff: [],
  forcedFallback: null,
  updatedAt: null,
  updatedBy: null,
};
