/**
 * Faults a test or a demo asks for. They are registered per Kiln team (the
 * `kilnTeamId` metadata Kiln sends on create), so parallel tests never see
 * each other's faults, and copied into each sandbox created for that team.
 */
export const FAULT_NAMES = [
  /** `POST /v2/sandboxes` answers 500. */
  "create-fails",
  /** `POST /v2/sandboxes` answers 429, as E2B does over its concurrency or rate limit. */
  "rate-limited",
  /** The dev server takes `startDelayMs` before its port answers. */
  "slow-start",
  /** The dev server listens on 5173 instead of the template's port. */
  "port-never-opens",
  /** Install commands and code runs never finish (only a kill ends them). */
  "command-hangs",
  /** The install command exits 1 with npm's error output. */
  "install-fails",
  /** The dev server crashes at start. */
  "start-crashes",
  /** The sandbox reaches its end of life right after the files are written. */
  "sandbox-expires",
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export type FaultSet = { names: Set<FaultName>; startDelayMs: number };

export const NO_FAULTS: FaultSet = { names: new Set(), startDelayMs: 0 };

export const DEFAULT_SLOW_START_MS = 1_500;

export function parseFaultRequest(body: unknown): { teamId: string; faults: FaultSet } {
  const value = (body ?? {}) as { teamId?: unknown; faults?: unknown; startDelayMs?: unknown };
  if (typeof value.teamId !== "string" || value.teamId === "") {
    throw new Error("teamId is required");
  }
  const names = Array.isArray(value.faults) ? value.faults : [];
  const unknown = names.filter((name) => !FAULT_NAMES.includes(name as FaultName));
  if (unknown.length > 0) throw new Error(`unknown faults: ${unknown.join(", ")}`);

  const startDelayMs =
    typeof value.startDelayMs === "number" ? value.startDelayMs : DEFAULT_SLOW_START_MS;
  return { teamId: value.teamId, faults: { names: new Set(names as FaultName[]), startDelayMs } };
}
