/**
 * The two edge limiters behind one shape. Upstash (`@upstash/ratelimit`, a
 * fixed window per scope) knows the exact reset time; the Workers binding only
 * answers yes or no, so its reset is taken as one whole window from now (it
 * may come sooner, never later).
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis/cloudflare";
import type { EdgeLimitSettings, EdgeScope, EdgeWindow } from "./config.ts";

export type EdgeOutcome = {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAtMs: number;
  source: "upstash" | "binding" | "none";
};

export type EdgeLimiter = (key: string, nowMs: number) => Promise<EdgeOutcome>;

/** Isolate-wide, so a key refused once is refused from memory until its reset. */
const ephemeralCache = new Map<string, number>();
const upstashLimiters = new Map<string, Ratelimit>();

export function upstashLimiter(options: {
  settings: EdgeLimitSettings;
  upstash: { url: string; token: string };
  scope: EdgeScope;
  window: EdgeWindow;
  waitUntil: (promise: Promise<unknown>) => void;
}): EdgeLimiter {
  const { upstash, scope, window } = options;
  const cacheKey = JSON.stringify([upstash.url, options.settings.prefix, scope, window]);
  let ratelimit = upstashLimiters.get(cacheKey);
  if (!ratelimit) {
    ratelimit = new Ratelimit({
      redis: new Redis({
        url: upstash.url,
        token: upstash.token,
        // Our own timeout bounds the call; the SDK's retries would only outlive it.
        retry: false,
        enableTelemetry: false,
      }),
      limiter: Ratelimit.fixedWindow(window.limit, `${window.windowSeconds} s`),
      prefix: `${options.settings.prefix}:${scope}`,
      ephemeralCache,
      analytics: false,
      // 0 turns off the SDK's own fail-open timer: `withTimeout` below decides instead.
      timeout: 0,
    });
    upstashLimiters.set(cacheKey, ratelimit);
  }

  const limiter = ratelimit;
  return async (key) => {
    const result = await limiter.limit(key);
    options.waitUntil(result.pending);
    return {
      allowed: result.success,
      limit: result.limit,
      remaining: Math.max(0, result.remaining),
      resetAtMs: result.reset,
      source: "upstash",
    };
  };
}

export function bindingLimiter(binding: RateLimit, window: EdgeWindow): EdgeLimiter {
  return async (key, nowMs) => {
    const { success } = await binding.limit({ key });
    return {
      allowed: success,
      limit: window.limit,
      // The binding does not say how many are left; 0 on refusal is exact, and on success
      // it is not reported (the header is left out) rather than guessed.
      remaining: success ? -1 : 0,
      resetAtMs: nowMs + window.windowSeconds * 1000,
      source: "binding",
    };
  };
}

export class LimiterTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`rate limiter did not answer within ${timeoutMs} ms`);
    this.name = "LimiterTimeout";
  }
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  // The call that lost the race may still fail later: that must not be an unhandled rejection.
  promise.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
