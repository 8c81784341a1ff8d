import type { ModelPrice } from "./prices.ts";
import type { PromptBudget } from "./prompt-budget.ts";

/**
 * What `GET /api/usage` answers: the team's limits and budgets with what is
 * used, the alerts raised this period, and the ledger rows (per day, model
 * and person). Team owners and admins get every row; others their own.
 */
export type UsageRow = {
  day: string;
  model: string;
  userId: string;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  requests: number;
  cacheHits: number;
  errors: number;
  /** Seconds of E2B sandbox time; non-zero only on `sandbox:<template>` rows. */
  sandboxSeconds: number;
};

export type BudgetView = {
  name: "tokens_per_day" | "dollars_per_month";
  unit: "tokens" | "micro_usd";
  limit: number;
  used: number;
  reserved: number;
  resetAt: string;
};

export type BudgetAlert = {
  budget: BudgetView["name"];
  period: string;
  threshold: 80 | 100;
  sentAt: string;
};

export type TeamLimitsView = {
  plan: string;
  limits: {
    requestsPerMinute: number;
    concurrentGenerations: number;
    tokensPerDay: number;
    dollarsPerMonthMicroUsd: number;
    concurrentSandboxes: number;
  };
  ceiling: TeamLimitsView["limits"];
  overrides: Partial<TeamLimitsView["limits"]>;
};

export type UsageResponse = {
  scope: "team" | "self";
  from: string;
  to: string;
  limits: TeamLimitsView;
  budgets: BudgetView[];
  alerts: BudgetAlert[];
  rows: UsageRow[];
  /** Emails of the people in `rows`, for labels. */
  people: Record<string, string>;
};

/** `GET /api/limits/estimate`: what the SPA needs to estimate the next message before sending. */
export type EstimateBasis = {
  model: string;
  price: ModelPrice;
  budget: PromptBudget;
  maxOutputTokens: number;
};
