/**
 * What one sandbox run carries through its steps: the row it updates, the
 * stream it reports to, and small helpers that keep the steps readable.
 * Every report is both saved (so a reload or a status call sees it) and
 * streamed (so the person watching sees it at once).
 */
import type {
  SandboxFailure,
  SandboxLogLine,
  SandboxLogStream,
  SandboxStep,
  SandboxStepName,
  SandboxStreamEvent,
} from "../../contract/sandbox.ts";
import type { E2bConnection, SandboxLimits } from "./settings.ts";
import { type SandboxRow, type SandboxStore, toView } from "./store.ts";
import type { SandboxTemplate } from "./templates.ts";

export type Emit = (event: SandboxStreamEvent) => void;

/** Where the running app's output goes after "ready" (runtime-logs.ts). */
export type RuntimeSink = {
  publish: (line: SandboxLogLine) => void;
  /** The server stopped (or Kiln stopped listening): followers are told and let go. */
  ended: () => void;
};

export class RunContext {
  readonly store: SandboxStore;
  readonly sandboxId: string;
  readonly teamId: string;
  readonly template: SandboxTemplate;
  readonly connection: E2bConnection;
  readonly limits: SandboxLimits;
  readonly emit: Emit;
  readonly runtime: RuntimeSink;
  readonly #steps: SandboxStep[] = [];

  constructor(input: {
    store: SandboxStore;
    sandboxId: string;
    teamId: string;
    template: SandboxTemplate;
    connection: E2bConnection;
    limits: SandboxLimits;
    emit: Emit;
    runtime: RuntimeSink;
  }) {
    this.store = input.store;
    this.sandboxId = input.sandboxId;
    this.teamId = input.teamId;
    this.template = input.template;
    this.connection = input.connection;
    this.limits = input.limits;
    this.emit = input.emit;
    this.runtime = input.runtime;
  }

  row(): SandboxRow {
    const row = this.store.find(this.sandboxId);
    if (!row) throw new Error(`sandbox ${this.sandboxId} vanished from storage`);
    return row;
  }

  view() {
    return toView(this.row(), Date.now());
  }

  expiresAtMs(): number {
    return this.row().expires_at;
  }

  /** Starts a step; the returned function ends it with a status and an optional detail. */
  step(name: SandboxStepName, detail?: string) {
    const startedAtMs = Date.now();
    const step: SandboxStep = {
      name,
      status: "running",
      startedAt: new Date(startedAtMs).toISOString(),
      ...(detail ? { detail } : {}),
    };
    this.#save(step);

    return (status: SandboxStep["status"], endDetail?: string) => {
      const ended: SandboxStep = {
        ...step,
        status,
        durationMs: Date.now() - startedAtMs,
        ...(endDetail ? { detail: endDetail } : {}),
      };
      this.#save(ended);
    };
  }

  skip(name: SandboxStepName, detail: string) {
    this.#save({
      name,
      status: "skipped",
      startedAt: new Date().toISOString(),
      durationMs: 0,
      detail,
    });
  }

  /** Saves and streams output, one event per line. */
  log(stream: SandboxLogStream, text: string) {
    for (const piece of text.split("\n")) {
      if (piece.trim() === "") continue;
      const line = this.store.appendLog(this.sandboxId, stream, piece, Date.now());
      if (!line) continue;
      this.emit({ type: "log", line });
      if (stream === "runtime") this.runtime.publish(line);
    }
  }

  fail(failure: SandboxFailure) {
    this.store.update(this.sandboxId, {
      status: "failed",
      failure: JSON.stringify(failure),
      ended_at: Date.now(),
    });
    this.log("system", `${failure.message} ${failure.hint}`);
    this.emit({ type: "failed", sandbox: this.view(), failure });
  }

  #save(step: SandboxStep) {
    const index = this.#steps.findIndex((existing) => existing.name === step.name);
    if (index === -1) this.#steps.push(step);
    else this.#steps[index] = step;
    this.store.update(this.sandboxId, { steps: JSON.stringify(this.#steps) });
    this.emit({ type: "step", step });
  }
}
