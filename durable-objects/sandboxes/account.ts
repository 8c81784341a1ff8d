/**
 * The seam between the team's sandboxes and the team's limits
 * (durable-objects/limits/): a slot under the plan's concurrent-sandbox
 * quota before a sandbox starts, and the seconds it ran (with their cost)
 * settled into the same usage ledger and budget as the team's tokens.
 */
import type { LimitDetails } from "../../contract/limits.ts";
import type { SandboxTemplateId } from "../../contract/sandbox.ts";
import type { TeamLimitsModule } from "../limits/index.ts";

export type SandboxSlot = { ok: true } | { ok: false; limit: LimitDetails };

export type SandboxAccount = {
  /** Takes (or, for a sandbox already holding one, extends) a slot; `ceiling` is the operator's cap. */
  acquire(input: {
    sandboxId: string;
    userId: string;
    ttlMs: number;
    ceiling: number | null;
  }): SandboxSlot;
  release(sandboxId: string): void;
  /** Charges an ended sandbox's seconds to the person who started it. */
  settle(input: {
    teamId: string;
    userId: string;
    template: SandboxTemplateId;
    sandboxSeconds: number;
    failed: boolean;
  }): Promise<unknown>;
};

export function teamSandboxAccount(limits: TeamLimitsModule): SandboxAccount {
  return {
    acquire: (input) => limits.acquireSandboxSlot({ ...input, now: Date.now() }),
    release: (sandboxId) => limits.releaseSandboxSlot(sandboxId),
    settle: (input) => limits.settleSandbox({ ...input, now: Date.now() }),
  };
}
