/**
 * The seam to the sandbox log in Postgres (DESIGN.md: written in batches
 * from a Cloudflare Queue) and to the team's usage ledger: every sandbox
 * that ends produces one SandboxRecordEvent.
 *
 * TODO(soon): send these to the identity engineer's Queue and the limits
 * engineer's usage ledger once they land; until then they are logged.
 */
import type { SandboxOutcome, SandboxStatus, SandboxTemplateId } from "../../contract/sandbox.ts";
import { logger } from "../../worker/logger.ts";

export type SandboxRecordEvent = {
  type: "sandbox.ended";
  teamId: string;
  sandboxId: string;
  conversationId: string | null;
  template: SandboxTemplateId;
  status: SandboxStatus;
  outcome: SandboxOutcome | null;
  /** Billable seconds from E2B create to kill or expiry. */
  sandboxSeconds: number;
  createdAt: string;
  endedAt: string;
};

export type SandboxEventSink = (event: SandboxRecordEvent) => void;

export const logSandboxEvent: SandboxEventSink = (event) => {
  logger.info(event.type, {
    teamId: event.teamId,
    sandboxId: event.sandboxId,
    template: event.template,
    status: event.status,
    outcome: event.outcome,
    sandboxSeconds: event.sandboxSeconds,
  });
};
