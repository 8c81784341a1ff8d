/**
 * The team's sandboxes, as the TeamGateway composes them: admission checks
 * (E2B configured, kill switch, breaker, a slot under the team's plan quota
 * from the limits module), the run itself (runner.ts), lifetime (keep-alive
 * bounded by the plan, expiry by Durable Object alarm so nothing outlives a
 * vanished browser), the answers for status, logs, stop and recreate, and
 * the accounting once a sandbox ends: its seconds into the team's usage
 * ledger and budget (account.ts) and its lifecycle into Postgres through the
 * write queue (records.ts).
 */
import type {
  SandboxCreateRequest,
  SandboxFallback,
  SandboxFile,
  SandboxLogsResponse,
  SandboxStatusResponse,
  SandboxView,
} from "../../contract/sandbox.ts";
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";
import type { SandboxAccount } from "./account.ts";
import { SandboxAccounting } from "./accounting.ts";
import { ADMISSION_OBJECT_NAME } from "./admission.ts";
import { unavailableBecause } from "./availability.ts";
import { E2bBreaker } from "./breaker.ts";
import { extendedExpiryMs } from "./deadlines.ts";
import { extendSandbox, killSandbox } from "./e2b.ts";
import { logSandboxEvent, type SandboxEventSink } from "./events.ts";
import { queuedSandboxRecords, type SandboxRecordSink } from "./records.ts";
import { expired, notFound, notRunning, overLimit, type Result, unconfigured } from "./refusals.ts";
import { RunContext } from "./run-context.ts";
import type { SandboxRunObserver } from "./run-observer.ts";
import { runSandbox } from "./runner.ts";
import { RuntimeFollowers } from "./runtime-logs.ts";
import { withScaffold } from "./scaffolds.ts";
import { type E2bConnection, e2bConnection, readLimits, type SandboxLimits } from "./settings.ts";
import { sandboxEventStream } from "./sse.ts";
import { LIVE_STATUSES, type SandboxRow, SandboxStore, toView } from "./store.ts";
import { SANDBOX_TEMPLATES, type SandboxTemplate } from "./templates.ts";
import { WarmPool } from "./warm-pool.ts";

export type { Result, SandboxRefusal } from "./refusals.ts";

export class Sandboxes {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #store: SandboxStore;
  readonly #breaker: E2bBreaker;
  readonly #warm: WarmPool;
  readonly #account: SandboxAccount;
  readonly #accounting: SandboxAccounting;
  readonly #followers = new RuntimeFollowers();
  readonly #observeRun: SandboxRunObserver | undefined;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    options: {
      account: SandboxAccount;
      events?: SandboxEventSink;
      records?: SandboxRecordSink;
      observeRun?: SandboxRunObserver;
    },
  ) {
    this.#observeRun = options.observeRun;
    this.#ctx = ctx;
    this.#env = env;
    this.#store = new SandboxStore(ctx.storage.sql);
    this.#breaker = new E2bBreaker(ctx.storage.sql);
    this.#warm = new WarmPool(ctx.storage.sql);
    this.#account = options.account;
    const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
    this.#accounting = new SandboxAccounting({
      store: this.#store,
      account: options.account,
      records: options.records ?? queuedSandboxRecords(env, waitUntil),
      events: options.events ?? logSandboxEvent,
      waitUntil,
    });
  }

  async open(input: {
    teamId: string;
    userId: string;
    request: SandboxCreateRequest;
    traceparent?: string;
  }): Promise<Result<ReadableStream<Uint8Array>>> {
    const { request } = input;
    const template = SANDBOX_TEMPLATES[request.template];
    const limits = await readLimits(this.#env);
    const connection = e2bConnection(this.#env);
    const nowMs = Date.now();

    const fallback = unavailableBecause({
      connection,
      limits,
      breaker: this.#breaker,
      nowMs,
      browser: template.browserFallback,
    });
    if (fallback || !connection) {
      const why = fallback ?? unconfigured(template.browserFallback);
      return { ok: true, value: unavailableStream(why) };
    }

    this.#expireDue(nowMs, connection);
    const sandboxId = crypto.randomUUID();
    const ttlMs = Math.min(limits.ttlSeconds, limits.maxLifetimeSeconds) * 1000;
    const slot = this.#account.acquire({
      sandboxId,
      userId: input.userId,
      ttlMs,
      ceiling: limits.maxConcurrentPerTeam,
    });
    if (!slot.ok) return { ok: false, refusal: overLimit(slot.limit) };

    this.#store.insert({
      id: sandboxId,
      team_id: input.teamId,
      user_id: input.userId,
      conversation_id: request.conversationId ?? null,
      template: template.id,
      status: "queued",
      created_at: nowMs,
      expires_at: nowMs + ttlMs,
      max_expires_at: nowMs + limits.maxLifetimeSeconds * 1000,
      simulated: connection.simulated ? 1 : 0,
    });
    const files = withScaffold(template.id, request.files);
    this.#store.saveFiles(sandboxId, files);
    this.#accounting.created(sandboxId);
    await this.#armAlarm();

    const run = this.#startRun({
      sandboxId,
      teamId: input.teamId,
      template,
      connection,
      limits,
      files,
      traceparent: input.traceparent,
    });
    return { ok: true, value: run };
  }

  /** Runs the sandbox behind the response; the returned stream carries its steps until it settles. */
  #startRun(input: {
    sandboxId: string;
    teamId: string;
    template: SandboxTemplate;
    connection: E2bConnection;
    limits: SandboxLimits;
    files: SandboxFile[];
    /** The caller's W3C `traceparent`: the run's spans join its trace. */
    traceparent?: string | undefined;
  }): ReadableStream<Uint8Array> {
    const { sandboxId, template, connection, limits, files } = input;
    const { stream, emit, close } = sandboxEventStream();
    const observed = this.#observeRun?.({ ...input, sandboxId });
    const run = new RunContext({
      store: this.#store,
      sandboxId,
      teamId: input.teamId,
      template,
      connection: observed ? { ...connection, apiHeaders: observed.apiHeaders } : connection,
      limits,
      emit,
      runtime: {
        publish: (line) => this.#followers.publish(sandboxId, line),
        ended: () => this.#endFollowers(sandboxId),
      },
    });
    emit({ type: "sandbox", sandbox: run.view() });

    const admission = this.#env.TEAM_GATEWAY.get(
      this.#env.TEAM_GATEWAY.idFromName(ADMISSION_OBJECT_NAME),
    );
    void runSandbox(run, files, {
      admit: (ticket) =>
        admission.admitSandboxCreation({ ticket, perMinute: limits.creationsPerMinute }),
      leaveQueue: (ticket) => admission.leaveSandboxQueue(ticket),
      breaker: this.#breaker,
      takeWarm: (timeoutMs) => this.#takeWarm({ ...input, timeoutMs }),
      onSettled: async () => {
        this.#accounting.runSettled(sandboxId);
        await this.#armAlarm();
      },
    })
      .catch((error: unknown) =>
        logger.error("sandbox.run_crashed", { sandboxId, error: String(error) }),
      )
      .finally(() => {
        close();
        // Every way a run ends (ready, failed, refused in the queue) passes here.
        observed?.settled(run.view());
      });
    return stream;
  }

  /** A ready sandbox from the template's warm pool (off unless sized), topped up behind the run. */
  async #takeWarm(input: {
    teamId: string;
    template: SandboxTemplate;
    connection: E2bConnection;
    limits: SandboxLimits;
    timeoutMs: number;
  }) {
    const { connection, template, limits } = input;
    const warmSize = limits.warmPool[template.id] ?? 0;
    if (warmSize <= 0) return null;
    const taken = await this.#warm.take({
      connection,
      template,
      timeoutMs: input.timeoutMs,
      nowMs: Date.now(),
    });
    void this.#warm.refill({
      connection,
      template,
      size: warmSize,
      ttlSeconds: limits.maxLifetimeSeconds,
      teamId: input.teamId,
    });
    return taken;
  }

  /** Recreates an ended sandbox from its saved files, as a new run. */
  async recreate(input: {
    teamId: string;
    userId: string;
    sandboxId: string;
    traceparent?: string;
  }): Promise<Result<ReadableStream<Uint8Array>>> {
    const row = this.#store.find(input.sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    const files = this.#store.files(row.id);
    return this.open({
      teamId: input.teamId,
      userId: input.userId,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
      request: {
        template: row.template,
        files,
        ...(row.conversation_id ? { conversationId: row.conversation_id } : {}),
      },
    });
  }

  status(sandboxId: string): Result<SandboxStatusResponse> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    const view = toView(row, Date.now());
    return {
      ok: true,
      value: {
        sandbox: view,
        canRecreate:
          view.status !== "ready" && view.status !== "starting" && view.status !== "queued",
      },
    };
  }

  logs(sandboxId: string): Result<SandboxLogsResponse> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    return {
      ok: true,
      value: {
        sandboxId,
        lines: this.#store.logs(sandboxId),
        expiresAt: new Date(row.expires_at).toISOString(),
      },
    };
  }

  /**
   * The running app's output: the saved runtime lines, then new ones as the
   * app prints them, until the sandbox or its server ends. For a sandbox
   * that is not running, the saved lines and the stream ends at once.
   */
  followRuntime(sandboxId: string): Result<ReadableStream<Uint8Array>> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    return {
      ok: true,
      value: this.#followers.follow({
        sandboxId,
        first: { type: "sandbox", sandbox: toView(row, Date.now()) },
        saved: this.#store.logs(sandboxId, { runtimeOnly: true }),
        live: row.status === "ready",
      }),
    };
  }

  async keepAlive(sandboxId: string): Promise<Result<SandboxView>> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    if (row.status === "expired" || row.status === "stopped")
      return { ok: false, refusal: expired(row) };
    if (row.status !== "ready" || !row.e2b_id) return { ok: false, refusal: notRunning(row) };

    const limits = await readLimits(this.#env);
    const connection = e2bConnection(this.#env);
    const nowMs = Date.now();
    const target = extendedExpiryMs({
      nowMs,
      ttlSeconds: limits.ttlSeconds,
      maxExpiresAtMs: row.max_expires_at,
    });
    if (connection && target > row.expires_at) {
      try {
        await extendSandbox(connection, row.e2b_id, target - nowMs);
      } catch (error) {
        // E2B no longer knows it: it is gone, whatever our clock says.
        logger.warn("sandbox.keep_alive_failed", { sandboxId, error: String(error) });
        this.#end(row, "expired", nowMs);
        return { ok: false, refusal: expired(row) };
      }
      this.#store.update(sandboxId, { expires_at: target });
      // The slot lives as long as the sandbox (an upsert: only its expiry moves).
      this.#account.acquire({
        sandboxId,
        userId: row.user_id ?? "",
        ttlMs: target - nowMs,
        ceiling: null,
      });
      await this.#armAlarm();
    }
    return { ok: true, value: toView(this.#store.find(sandboxId) ?? row, nowMs) };
  }

  async stop(sandboxId: string): Promise<Result<SandboxView>> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    const connection = e2bConnection(this.#env);
    const live = LIVE_STATUSES.includes(row.status);
    if (row.e2b_id && connection && live)
      await killSandbox(connection, row.e2b_id).catch(() => false);
    if (live) this.#end(row, "stopped", Date.now());
    await this.#armAlarm();
    return { ok: true, value: toView(this.#store.find(sandboxId) ?? row, Date.now()) };
  }

  /** The Durable Object alarm: ends every sandbox whose time is up, then rearms. */
  async alarm() {
    const connection = e2bConnection(this.#env);
    await this.#expireDue(Date.now(), connection);
    await this.#armAlarm();
  }

  /** The row, with an overdue live sandbox expired first (the alarm may not have run yet). */
  #current(sandboxId: string): SandboxRow | null {
    const row = this.#store.find(sandboxId);
    if (row && LIVE_STATUSES.includes(row.status) && row.expires_at <= Date.now()) {
      this.#end(row, "expired", row.expires_at);
      const connection = e2bConnection(this.#env);
      if (row.e2b_id && connection) void killSandbox(connection, row.e2b_id).catch(() => false);
      return this.#store.find(sandboxId);
    }
    return row;
  }

  #expireDue(nowMs: number, connection: ReturnType<typeof e2bConnection>) {
    const kills: Promise<unknown>[] = [];
    for (const row of this.#store.dueForExpiry(nowMs)) {
      this.#end(row, "expired", row.expires_at);
      if (row.e2b_id && connection)
        kills.push(killSandbox(connection, row.e2b_id).catch(() => false));
    }
    return Promise.all(kills);
  }

  #end(row: SandboxRow, status: "expired" | "stopped", endedAtMs: number) {
    this.#store.update(row.id, { status, ended_at: endedAtMs });
    this.#accounting.settleIfEnded(row.id);
    this.#endFollowers(row.id);
  }

  #endFollowers(sandboxId: string) {
    const row = this.#store.find(sandboxId);
    if (row) this.#followers.end(sandboxId, { type: "sandbox", sandbox: toView(row, Date.now()) });
  }

  async #armAlarm() {
    const next = this.#store.nextExpiry();
    if (next === null) return;
    const current = await this.#ctx.storage.getAlarm();
    if (current === null || current > next) await this.#ctx.storage.setAlarm(next);
  }
}

function unavailableStream(fallback: SandboxFallback): ReadableStream<Uint8Array> {
  const { stream, emit, close } = sandboxEventStream();
  emit({ type: "unavailable", fallback });
  close();
  return stream;
}
