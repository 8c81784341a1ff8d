/**
 * Edge rate limits, checked in the Worker before any Durable Object is
 * touched: per IP on every request without a verified token (no token, or
 * one that does not verify: a flood of made-up tokens is still limited), per
 * user once signed in, per team once the team is known (`enforceTeamRateLimit`).
 *
 * Where the counters live: Upstash Redis through `@upstash/ratelimit` when
 * UPSTASH_REDIS_REST_URL and _TOKEN are set, else the Workers rate-limiting
 * binding (`RATE_LIMIT_USER` / `_TEAM` / `_IP` in wrangler.toml).
 *
 * When Redis is slow or down (no answer within KILN_RATE_LIMIT_TIMEOUT_MS,
 * 300 ms by default, or an error), the limiter falls back to the Workers
 * binding, and without one lets the request through. That is a choice: this
 * limit is a cheap shield, and the TeamGateway's quotas and budgets (strongly
 * consistent, no Redis involved) still stop a team from overspending, so an
 * outage of Redis degrades protection instead of taking Kiln down. Every
 * fallback is logged as `rate_limit.degraded`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { type LimitDetails, retryAfterSeconds } from "../../../contract/limits.ts";
import type { AppBindings, Env } from "../../env.ts";
import { limitError } from "../../limits/explain.ts";
import { logger } from "../../logger.ts";
import { verifiedCaller } from "../auth/index.ts";
import { type EdgeScope, edgeLimitSettings } from "./config.ts";
import { bindingLimiter, type EdgeOutcome, upstashLimiter, withTimeout } from "./limiters.ts";

export type RateLimitOptions = {
  scope: "user" | "ip";
  /** Tests pass a fake clock; it sets the reset figures of the binding path. */
  now?: () => number;
};

export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppBindings> {
  const now = options.now ?? Date.now;

  if (options.scope === "ip") {
    return async function rateLimitByIp(c, next) {
      // Signed-in requests are counted per user after authentication instead; a header alone
      // proves nothing, so only a token that verifies skips the per-IP count.
      const caller = await verifiedCaller(c).catch(() => undefined);
      if (!caller) {
        const ip = c.req.header("cf-connecting-ip") ?? "unknown";
        await checkEdgeLimit({ c, scope: "ip", key: ip, now: now() });
      }
      await next();
    };
  }

  return async function rateLimitByUser(c, next) {
    await checkEdgeLimit({ c, scope: "user", key: c.get("auth").userId, now: now() });
    await next();
  };
}

/** Called by routes once they know the caller's team (membership already checked). */
export function enforceTeamRateLimit(c: Context<AppBindings>, teamId: string): Promise<void> {
  return checkEdgeLimit({ c, scope: "team", key: teamId, now: Date.now() });
}

async function checkEdgeLimit(options: {
  c: Context<AppBindings>;
  scope: EdgeScope;
  key: string;
  now: number;
}) {
  const { c, scope, key, now } = options;
  const settings = edgeLimitSettings(c.env);
  const window = settings.limits[scope];
  const outcome = await decide({ c, scope, key, now, settings });

  if (outcome.limit > 0) {
    c.header("RateLimit-Limit", String(outcome.limit));
    if (outcome.remaining >= 0) c.header("RateLimit-Remaining", String(outcome.remaining));
  }
  if (outcome.allowed) return;

  const details: LimitDetails = {
    scope,
    name: "requests_per_window",
    limit: outcome.limit,
    remaining: 0,
    unit: "requests",
    windowSeconds: window.windowSeconds,
    resetAt: new Date(outcome.resetAtMs).toISOString(),
    // The binding does not say when its window ends: one whole window from now is the latest.
    ...(outcome.source === "binding" ? { resetIsLatest: true } : {}),
    retryAfterSeconds: retryAfterSeconds(outcome.resetAtMs, now),
  };
  logger.info("rate_limit.refused", { scope, source: outcome.source, limit: outcome.limit });
  throw limitError(details);
}

async function decide(options: {
  c: Context<AppBindings>;
  scope: EdgeScope;
  key: string;
  now: number;
  settings: ReturnType<typeof edgeLimitSettings>;
}): Promise<EdgeOutcome> {
  const { c, scope, key, now, settings } = options;
  const window = settings.limits[scope];
  const binding = bindingFor(c.env, scope);

  if (settings.upstash) {
    const limiter = upstashLimiter({
      settings,
      upstash: settings.upstash,
      scope,
      window,
      waitUntil: (promise) => waitUntil(c, promise),
    });
    try {
      return await withTimeout(limiter(key, now), settings.timeoutMs);
    } catch (error) {
      logger.warn("rate_limit.degraded", {
        scope,
        reason: error instanceof Error ? error.name : "error",
        fallback: binding ? "binding" : "allow",
      });
    }
  }

  if (binding) return bindingLimiter(binding, window)(key, now);
  return { allowed: true, limit: 0, remaining: -1, resetAtMs: now, source: "none" };
}

function bindingFor(env: Env, scope: EdgeScope): RateLimit | undefined {
  if (scope === "user") return env.RATE_LIMIT_USER;
  if (scope === "team") return env.RATE_LIMIT_TEAM;
  return env.RATE_LIMIT_IP;
}

function waitUntil(c: Context<AppBindings>, promise: Promise<unknown>) {
  const settled = promise.catch(() => {});
  try {
    c.executionCtx.waitUntil(settled);
  } catch {
    // `app.request()` in tests has no execution context; the promise still settles.
  }
}
