/**
 * A sandbox's lifecycle records for the sandbox log in Postgres, sent
 * through the write queue (KILN_WRITES, DESIGN.md: written in batches, never
 * a synchronous write per request): `created` when it is asked for, its run's
 * outcome (`ready`, `finished` or `failed`), and `ended` with its seconds.
 * The consumer keys them by (team, sandbox, event), so a redelivery or a
 * repeated report lands once.
 */
import type { SandboxStatus } from "../../contract/sandbox.ts";
import { enqueueSandboxRecord, type SandboxRecord } from "../../worker/db/write-queue.ts";
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";
import { type SandboxRow, toView } from "./store.ts";

export type SandboxLifecycleEvent = "created" | "ready" | "finished" | "failed" | "ended";
export type SandboxRecordSink = (record: SandboxRecord) => void;

/** Queues each record behind the request; a failed send is logged with its ids, not thrown. */
export function queuedSandboxRecords(
  env: Env,
  waitUntil: (promise: Promise<unknown>) => void,
): SandboxRecordSink {
  return (record) =>
    waitUntil(
      enqueueSandboxRecord(env, record).catch((error: unknown) =>
        logger.error("sandbox.record_not_queued", {
          sandboxId: record.id,
          event: record.event,
          error: String(error),
        }),
      ),
    );
}

/** The run's outcome as a lifecycle event, or null while it has none yet. */
export function outcomeEvent(status: SandboxStatus): SandboxLifecycleEvent | null {
  if (status === "ready" || status === "finished" || status === "failed") return status;
  return null;
}

export function sandboxRecord(
  row: SandboxRow,
  event: SandboxLifecycleEvent,
  nowMs: number,
): SandboxRecord {
  const view = toView(row, nowMs);
  const detail: NonNullable<SandboxRecord["detail"]> = {
    status: row.status,
    simulated: view.simulated,
  };
  if (view.failure) detail.outcome = view.failure.outcome;
  if (event === "ended") {
    detail.sandboxSeconds = view.sandboxSeconds;
    detail.endedAt = new Date(row.ended_at ?? nowMs).toISOString();
  }
  return {
    id: row.id,
    teamId: row.team_id,
    userId: row.user_id,
    conversationId: row.conversation_id,
    template: row.template,
    event,
    detail,
    createdAt: new Date(event === "created" ? row.created_at : nowMs).toISOString(),
  };
}
