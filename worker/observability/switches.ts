/**
 * Incident switches: one small JSON value in KV, changed through the ops API
 * and read on every request. Reads are cached at the edge for up to a
 * minute (KV's own propagation is about as long), which is the "effective
 * within a minute, without a deploy" promise; a missing or unreadable value
 * means every switch is off, so a KV hiccup never takes Kiln down.
 */
import {
  type IncidentSwitches,
  type IncidentSwitchesUpdate,
  incidentSwitchesSchema,
  NO_INCIDENT_SWITCHES,
} from "../../contract/observability.ts";
import { ApiError } from "../errors.ts";
import { logger } from "../logger.ts";

export const INCIDENT_SWITCHES_KEY = "ops:incident-switches";
const READ_CACHE_TTL_SECONDS = 60;

export async function readIncidentSwitches(kv: KVNamespace): Promise<IncidentSwitches> {
  try {
    const stored = await kv.get(INCIDENT_SWITCHES_KEY, {
      type: "json",
      cacheTtl: READ_CACHE_TTL_SECONDS,
    });
    if (stored === null) return NO_INCIDENT_SWITCHES;
    const parsed = incidentSwitchesSchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    logger.error("switches.invalid", { key: INCIDENT_SWITCHES_KEY });
  } catch (error) {
    logger.error("switches.unreadable", { error: error instanceof Error ? error.name : "unknown" });
  }
  return NO_INCIDENT_SWITCHES;
}

export async function updateIncidentSwitches(options: {
  kv: KVNamespace;
  update: IncidentSwitchesUpdate;
  operatorEmail: string;
  now: number;
}): Promise<IncidentSwitches> {
  // Read uncached: an operator flipping two switches in a row must not lose the first.
  const current = incidentSwitchesSchema.safeParse(
    await options.kv.get(INCIDENT_SWITCHES_KEY, { type: "json" }),
  );
  const next: IncidentSwitches = {
    ...(current.success ? current.data : NO_INCIDENT_SWITCHES),
    ...options.update,
    updatedAt: new Date(options.now).toISOString(),
    updatedBy: options.operatorEmail,
  };
  await options.kv.put(INCIDENT_SWITCHES_KEY, JSON.stringify(next));
  logger.warn("switches.changed", {
    sandboxesDisabled: next.sandboxesDisabled,
    providersOff: next.providersOff.join(","),
    forcedFallback: next.forcedFallback
      ? `${next.forcedFallback.provider}/${next.forcedFallback.model}`
      : null,
  });
  return next;
}

/** For the sandbox routes: refuses new sandboxes while the global switch is on. */
export function assertSandboxesEnabled(switches: IncidentSwitches): void {
  if (!switches.sandboxesDisabled) return;
  throw new ApiError({
    status: 503,
    code: "sandboxes_disabled",
    message: "Sandboxes are switched off by Kiln's operators during an incident.",
    hint: "The code is still here to read and download; try running it again later.",
  });
}

/** Whether an incident switch has turned this provider off. */
export function isProviderSwitchedOff(switches: IncidentSwitches, provider: string): boolean {
  return switches.providersOff.includes(provider);
}
