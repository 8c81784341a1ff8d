/**
 * What the team's books hear about a sandbox: `created` when it is asked
 * for, the run's outcome when the run settles, and once, when it has ended,
 * its slot back, its seconds charged (account.ts) and its end recorded
 * (records.ts, the write queue; events.ts, the logs and metrics seam).
 */
import { logger } from "../../worker/logger.ts";
import type { SandboxAccount } from "./account.ts";
import type { SandboxEventSink } from "./events.ts";
import {
  outcomeEvent,
  type SandboxLifecycleEvent,
  type SandboxRecordSink,
  sandboxRecord,
} from "./records.ts";
import { type SandboxStore, toView } from "./store.ts";

export class SandboxAccounting {
  readonly #store: SandboxStore;
  readonly #account: SandboxAccount;
  readonly #records: SandboxRecordSink;
  readonly #events: SandboxEventSink;
  readonly #waitUntil: (promise: Promise<unknown>) => void;

  constructor(input: {
    store: SandboxStore;
    account: SandboxAccount;
    records: SandboxRecordSink;
    events: SandboxEventSink;
    waitUntil: (promise: Promise<unknown>) => void;
  }) {
    this.#store = input.store;
    this.#account = input.account;
    this.#records = input.records;
    this.#events = input.events;
    this.#waitUntil = input.waitUntil;
  }

  created(sandboxId: string) {
    this.#record(sandboxId, "created");
  }

  /** The run reached its last state (ready counts): its outcome, and its end if it ended. */
  runSettled(sandboxId: string) {
    const status = this.#store.find(sandboxId)?.status;
    const outcome = status ? outcomeEvent(status) : null;
    if (outcome) this.#record(sandboxId, outcome);
    this.settleIfEnded(sandboxId);
  }

  /** Once, when the sandbox has ended; a no-op before that and after the first time. */
  settleIfEnded(sandboxId: string) {
    const row = this.#store.find(sandboxId);
    if (!row || row.ended_at === null || row.recorded === 1) return;
    const view = toView(row, Date.now());
    this.#account.release(sandboxId);
    this.#store.update(sandboxId, { recorded: 1 });

    const settled = this.#account.settle({
      teamId: row.team_id,
      userId: row.user_id ?? "",
      template: row.template,
      sandboxSeconds: view.sandboxSeconds,
      failed: row.status === "failed",
    });
    this.#waitUntil(
      settled.catch((error: unknown) =>
        logger.error("sandbox.settle_failed", { sandboxId, error: String(error) }),
      ),
    );
    this.#record(sandboxId, "ended");
    this.#events({
      type: "sandbox.ended",
      teamId: row.team_id,
      sandboxId,
      conversationId: row.conversation_id,
      template: row.template,
      status: row.status,
      outcome: view.failure?.outcome ?? null,
      sandboxSeconds: view.sandboxSeconds,
      createdAt: view.createdAt,
      endedAt: new Date(row.ended_at).toISOString(),
    });
  }

  #record(sandboxId: string, event: SandboxLifecycleEvent) {
    const row = this.#store.find(sandboxId);
    if (row) this.#records(sandboxRecord(row, event, Date.now()));
  }
}
