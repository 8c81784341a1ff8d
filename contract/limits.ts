/**
 * What every limit error carries, defined once for the Worker, the
 * TeamGateway and the SPA: which limit was hit, its figure, what is left and
 * when it resets. `retryAfterSeconds` is the same number as the response's
 * `Retry-After` header.
 */
import { z } from "zod";

export const limitScopeSchema = z.enum(["user", "team", "ip", "provider"]);
export type LimitScope = z.infer<typeof limitScopeSchema>;

export const limitNameSchema = z.enum([
  "requests_per_window",
  "requests_per_minute",
  "concurrent_generations",
  "tokens_per_day",
  "dollars_per_month",
  "concurrent_sandboxes",
  "provider_rate_limit",
]);
export type LimitName = z.infer<typeof limitNameSchema>;

export const limitDetailsSchema = z.object({
  scope: limitScopeSchema,
  name: limitNameSchema,
  /** The figure: requests, tokens, micro-dollars, generations or sandboxes. */
  limit: z.number(),
  /** Never below 0. */
  remaining: z.number(),
  /** What is used so far, when it can exceed the limit (a budget lowered below the month's spend). */
  used: z.number().optional(),
  unit: z.enum(["requests", "tokens", "micro_usd", "generations", "sandboxes"]),
  /** Window length, e.g. 60 for a per-minute limit; absent for concurrency caps. */
  windowSeconds: z.number().optional(),
  resetAt: z.string(),
  /**
   * True when `resetAt` is the latest the limit resets, not the moment: the
   * Workers rate-limiting binding only answers yes or no, so its window is
   * taken as ending one whole window from now (it may end sooner).
   */
  resetIsLatest: z.boolean().optional(),
  retryAfterSeconds: z.number().int().min(1),
});
export type LimitDetails = z.infer<typeof limitDetailsSchema>;

/** Whole seconds until `resetAtMs`, never below 1 (a 0 would invite a hot retry loop). */
export function retryAfterSeconds(resetAtMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((resetAtMs - nowMs) / 1000));
}

/** Micro-dollars as people read them: `$1.50`, `$0.0042`. */
export function formatMicroUsd(microUsd: number): string {
  const dollars = microUsd / 1_000_000;
  if (dollars === 0 || Math.abs(dollars) >= 0.01) return `$${dollars.toFixed(2)}`;
  return `$${dollars.toFixed(6).replace(/0+$/, "")}`;
}
