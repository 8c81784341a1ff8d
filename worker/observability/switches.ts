/**
 * Incident switches: one small JSON value in KV, changed through the ops API
 * and read by every chat turn. Reads are cached in the isolate for 15 s and
 * at the edge for up to a minute (KV's own propagation is about as long),
 * which is the "effective within a minute, without a deploy" promise; a
 * missing or unreadable value means every switch is off, so a KV hiccup
 * never takes Kiln down. No switch is a second mechanism: provider-off and
 * forced fallback are folded into the gateway's routing config
 * (`applyIncidentSwitches`), and "sandboxes off" is the sandbox module's own
 * kill switch (`disabled` in its KV settings), which this writes and reads.
 */

import {
  type IncidentSwitches,
  type IncidentSwitchesUpdate,
  incidentSwitchesSchema,
  NO_INCIDENT_SWITCHES,
} from "../../contract/observability.ts";
import type { RoutingConfig } from "../../contract/routing.ts";
import { DEFAULT_TIMEOUTS } from "../../contract/routing.ts";
import { SANDBOX_SETTINGS_KEY } from "../../durable-objects/sandboxes/settings.ts";
import { logger } from "../logger.ts";

export const INCIDENT_SWITCHES_KEY = "ops:incident-switches";
const READ_CACHE_TTL_SECONDS = 60;

const DEFAULT_ISOLATE_CACHE_MS = 15_000;
let cached: { switches: IncidentSwitches; readAt: number } | null = null;

type SwitchesEnv = { KILN_KV: KVNamespace; KILN_SWITCHES_CACHE_MS?: string };

/** The switches as a chat turn sees them: cached in the isolate for a few seconds. */
export async function readIncidentSwitches(env: SwitchesEnv): Promise<IncidentSwitches> {
  const configured = Number(env.KILN_SWITCHES_CACHE_MS);
  const ttlMs =
    Number.isFinite(configured) && env.KILN_SWITCHES_CACHE_MS !== undefined
      ? configured
      : DEFAULT_ISOLATE_CACHE_MS;
  const now = Date.now();
  if (cached && now - cached.readAt < ttlMs) return cached.switches;

  const switches = await readStoredSwitches(env.KILN_KV);
  cached = { switches, readAt: now };
  return switches;
}

async function readStoredSwitches(kv: KVNamespace): Promise<IncidentSwitches> {
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
  if (options.update.sandboxesDisabled !== undefined) {
    await setSandboxKillSwitch(options.kv, options.update.sandboxesDisabled);
  }
  logger.warn("switches.changed", {
    sandboxesDisabled: next.sandboxesDisabled,
    providersOff: next.providersOff.join(","),
    forcedFallback: next.forcedFallback
      ? `${next.forcedFallback.provider}/${next.forcedFallback.model}`
      : null,
  });
  return next;
}

/**
 * The routing config with the switches applied: switched-off providers join
 * `disabledProviders`, and a forced fallback becomes the only target of
 * every model class (unless its provider is off too).
 */
export function applyIncidentSwitches(
  config: RoutingConfig,
  switches: IncidentSwitches,
): RoutingConfig {
  const disabledProviders = [...new Set([...config.disabledProviders, ...switches.providersOff])];
  const forced = switches.forcedFallback;
  if (!forced) return { ...config, disabledProviders };

  const classes: RoutingConfig["classes"] = {};
  for (const [name, modelClass] of Object.entries(config.classes)) {
    const template = modelClass.targets.find((target) => target.provider === forced.provider);
    classes[name] = {
      targets: [
        {
          provider: forced.provider,
          model: forced.model,
          enabled: true,
          retries: template?.retries ?? 1,
          timeouts: template?.timeouts ?? { ...DEFAULT_TIMEOUTS },
        },
      ],
    };
  }
  return { ...config, classes, disabledProviders };
}

/** The switches as the ops page shows them, with the sandbox module's kill switch as it is. */
export async function readSwitchesForOperators(kv: KVNamespace): Promise<IncidentSwitches> {
  const [switches, sandbox] = await Promise.all([
    readStoredSwitches(kv),
    kv.get<{ disabled?: boolean }>(SANDBOX_SETTINGS_KEY, { type: "json" }),
  ]);
  return { ...switches, sandboxesDisabled: sandbox?.disabled ?? false };
}

/** Read-modify-write of the sandbox settings: only `disabled` changes. */
async function setSandboxKillSwitch(kv: KVNamespace, disabled: boolean): Promise<void> {
  const settings = (await kv.get<Record<string, unknown>>(SANDBOX_SETTINGS_KEY, "json")) ?? {};
  await kv.put(SANDBOX_SETTINGS_KEY, JSON.stringify({ ...settings, disabled }));
}
