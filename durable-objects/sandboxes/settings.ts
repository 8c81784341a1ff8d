/**
 * Sandbox settings: how to reach E2B (the Worker's env: E2B_API_KEY, and for
 * the local simulator E2B_API_URL and E2B_SANDBOX_URL) and the limits an
 * operator changes live through KV (`sandbox:settings`): the kill switch,
 * lifetimes, an operator cap per team, the global creation rate and the warm pool.
 * KV is read at most once a minute per object, so a change lands within a
 * minute without a deploy.
 */
import {
  type SandboxSettingsOverride,
  type SandboxTemplateId,
  sandboxSettingsSchema,
} from "../../contract/sandbox.ts";
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";

export const SANDBOX_SETTINGS_KEY = "sandbox:settings";
const KV_CACHE_TTL_SECONDS = 60;

export type E2bConnection = {
  apiKey: string;
  apiUrl: string | undefined;
  sandboxUrl: string | undefined;
  /** Talking to the local simulator: the UI labels its sandboxes as simulated. */
  simulated: boolean;
  /** Extra headers on control-plane calls (a run's `traceparent`, run-observer.ts). */
  apiHeaders?: Record<string, string>;
};

export type SandboxLimits = {
  disabled: boolean;
  ttlSeconds: number;
  maxLifetimeSeconds: number;
  /**
   * The operator's cap on any team's running sandboxes, below every plan's
   * quota when set; null leaves each team at its plan's `concurrentSandboxes`.
   */
  maxConcurrentPerTeam: number | null;
  creationsPerMinute: number;
  warmPool: Partial<Record<SandboxTemplateId, number>>;
};

/** Until an operator sets them. The team's own cap is its plan's (limits/plans.ts). */
export const DEFAULT_LIMITS: SandboxLimits = {
  disabled: false,
  ttlSeconds: 600,
  maxLifetimeSeconds: 3600,
  maxConcurrentPerTeam: null,
  creationsPerMinute: 30,
  warmPool: {},
};

export function e2bConnection(env: Env): E2bConnection | null {
  const apiKey = env.E2B_API_KEY?.trim();
  if (!apiKey) return null;
  return {
    apiKey,
    apiUrl: env.E2B_API_URL || undefined,
    sandboxUrl: env.E2B_SANDBOX_URL || undefined,
    simulated: Boolean(env.E2B_SANDBOX_URL),
  };
}

export async function readLimits(env: Env): Promise<SandboxLimits> {
  let stored: unknown = null;
  try {
    stored = await env.KILN_KV.get(SANDBOX_SETTINGS_KEY, {
      type: "json",
      cacheTtl: KV_CACHE_TTL_SECONDS,
    });
  } catch (error) {
    logger.warn("sandbox.settings_unreadable", { error: String(error) });
  }
  const parsed = sandboxSettingsSchema.safeParse(stored ?? {});
  return mergeLimits(parsed.success ? parsed.data : {});
}

export function mergeLimits(override: SandboxSettingsOverride): SandboxLimits {
  return {
    disabled: override.disabled ?? DEFAULT_LIMITS.disabled,
    ttlSeconds: override.ttlSeconds ?? DEFAULT_LIMITS.ttlSeconds,
    maxLifetimeSeconds: override.maxLifetimeSeconds ?? DEFAULT_LIMITS.maxLifetimeSeconds,
    maxConcurrentPerTeam: override.maxConcurrentPerTeam ?? DEFAULT_LIMITS.maxConcurrentPerTeam,
    creationsPerMinute: override.creationsPerMinute ?? DEFAULT_LIMITS.creationsPerMinute,
    warmPool: override.warmPool ?? DEFAULT_LIMITS.warmPool,
  };
}
