/**
 * Team limits: each plan has defaults and a ceiling; team admins may move a
 * limit anywhere up to the ceiling (`PUT /api/limits`), operators change the
 * plan. Money is in integer micro-dollars.
 */
import { z } from "zod";

export const planIdSchema = z.enum(["free", "team", "enterprise"]);
export type PlanId = z.infer<typeof planIdSchema>;

export type TeamLimits = {
  requestsPerMinute: number;
  concurrentGenerations: number;
  tokensPerDay: number;
  dollarsPerMonthMicroUsd: number;
  concurrentSandboxes: number;
};

export const limitOverridesSchema = z
  .object({
    requestsPerMinute: z.number().int().min(1),
    concurrentGenerations: z.number().int().min(1),
    tokensPerDay: z.number().int().min(1),
    dollarsPerMonthMicroUsd: z.number().int().min(1),
    concurrentSandboxes: z.number().int().min(0),
  })
  .partial()
  .strict();
export type LimitOverrides = z.infer<typeof limitOverridesSchema>;

type Plan = { defaults: TeamLimits; ceiling: TeamLimits };

const DOLLAR = 1_000_000;

export const PLANS: Record<PlanId, Plan> = {
  free: {
    defaults: limits(20, 2, 200_000, 5 * DOLLAR, 1),
    ceiling: limits(30, 2, 500_000, 10 * DOLLAR, 2),
  },
  team: {
    defaults: limits(120, 8, 5_000_000, 200 * DOLLAR, 5),
    ceiling: limits(600, 20, 20_000_000, 2_000 * DOLLAR, 20),
  },
  enterprise: {
    defaults: limits(600, 32, 50_000_000, 5_000 * DOLLAR, 50),
    ceiling: limits(60_000, 1_000, 1_000_000_000, 100_000 * DOLLAR, 500),
  },
};

/** New teams start here until an operator sets their plan. */
export const DEFAULT_PLAN: PlanId = "team";

function limits(
  requestsPerMinute: number,
  concurrentGenerations: number,
  tokensPerDay: number,
  dollarsPerMonthMicroUsd: number,
  concurrentSandboxes: number,
): TeamLimits {
  return {
    requestsPerMinute,
    concurrentGenerations,
    tokensPerDay,
    dollarsPerMonthMicroUsd,
    concurrentSandboxes,
  };
}

/** The names of overrides that go above the plan's ceiling (empty when all fit). */
export function overridesAboveCeiling(plan: PlanId, overrides: LimitOverrides): string[] {
  const ceiling = PLANS[plan].ceiling;
  return Object.entries(overrides)
    .filter(([name, value]) => value > ceiling[name as keyof TeamLimits])
    .map(([name]) => name);
}

/** Defaults, then overrides, each held to the plan's ceiling (a plan downgrade lowers them). */
export function effectiveLimits(plan: PlanId, overrides: LimitOverrides): TeamLimits {
  const { defaults, ceiling } = PLANS[plan];
  const result = { ...defaults };
  for (const name of Object.keys(result) as (keyof TeamLimits)[]) {
    const wanted = overrides[name] ?? defaults[name];
    result[name] = Math.min(wanted, ceiling[name]);
  }
  return result;
}
