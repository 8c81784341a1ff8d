/**
 * The team's sandboxes, as the TeamGateway composes them: admission checks
 * (E2B configured, kill switch, breaker, the team's concurrency cap), the
 * run itself (runner.ts), lifetime (keep-alive bounded by the plan, expiry
 * by Durable Object alarm so nothing outlives a vanished browser), and the
 * answers for status, logs, stop and recreate.
 */
import type {
  SandboxCreateRequest,
  SandboxFallback,
  SandboxLogsResponse,
  SandboxStatusResponse,
  SandboxView,
} from "../../contract/sandbox.ts";
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";
import { ADMISSION_OBJECT_NAME } from "./admission.ts";
import { E2bBreaker } from "./breaker.ts";
import { extendedExpiryMs } from "./deadlines.ts";
import { extendSandbox, killSandbox } from "./e2b.ts";
import { logSandboxEvent, type SandboxEventSink } from "./events.ts";
import { RunContext } from "./run-context.ts";
import type { SandboxRunObserver } from "./run-observer.ts";
import { runSandbox } from "./runner.ts";
import { withScaffold } from "./scaffolds.ts";
import { e2bConnection, readLimits, type SandboxLimits } from "./settings.ts";
import { sandboxEventStream } from "./sse.ts";
import { type SandboxRow, SandboxStore, toView } from "./store.ts";
import { SANDBOX_TEMPLATES } from "./templates.ts";
import { WarmPool } from "./warm-pool.ts";

/** A refusal the Worker turns into the documented error body. */
export type SandboxRefusal = {
  status: 404 | 409 | 429;
  code: "sandbox_not_found" | "sandbox_expired" | "sandbox_not_running" | "sandbox_limit_reached";
  message: string;
  hint: string;
};

/**
 * The team's concurrent-sandbox cap when another module owns it (the limits
 * module's plan quotas). Without one, the cap is `maxConcurrentPerTeam` from
 * the sandbox settings, counted over this object's live sandboxes.
 */
export type SandboxCapacity = {
  acquire(input: {
    sandboxId: string;
    userId: string;
    ttlMs: number;
  }): { ok: true } | { ok: false; limit: { limit: number; resetAt: string } };
  release(sandboxId: string): void;
};

export type Result<T> = { ok: true; value: T } | { ok: false; refusal: SandboxRefusal };

export class Sandboxes {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #store: SandboxStore;
  readonly #breaker: E2bBreaker;
  readonly #events: SandboxEventSink;
  readonly #warm: WarmPool;
  readonly #capacity: SandboxCapacity | undefined;
  readonly #observeRun: SandboxRunObserver | undefined;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    options: {
      events?: SandboxEventSink;
      capacity?: SandboxCapacity;
      observeRun?: SandboxRunObserver;
    } = {},
  ) {
    const events = options.events ?? logSandboxEvent;
    this.#capacity = options.capacity;
    this.#observeRun = options.observeRun;
    this.#ctx = ctx;
    this.#env = env;
    this.#store = new SandboxStore(ctx.storage.sql);
    this.#breaker = new E2bBreaker(ctx.storage.sql);
    this.#events = events;
    this.#warm = new WarmPool(ctx.storage.sql);
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

    const fallback = this.#fallback({
      limits,
      connected: connection !== null,
      nowMs,
      browser: template.browserFallback,
    });
    if (fallback || !connection) {
      return {
        ok: true,
        value: unavailableStream(fallback ?? unconfigured(template.browserFallback)),
      };
    }

    this.#expireDue(nowMs, connection);
    const sandboxId = crypto.randomUUID();
    const ttlMs = Math.min(limits.ttlSeconds, limits.maxLifetimeSeconds) * 1000;
    const refusal = this.#takeSlot({ sandboxId, userId: input.userId, ttlMs, limits, nowMs });
    if (refusal) return { ok: false, refusal };

    this.#store.insert({
      id: sandboxId,
      team_id: input.teamId,
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
    await this.#armAlarm();

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
      takeWarm: async (timeoutMs) => {
        const warmSize = limits.warmPool[template.id] ?? 0;
        if (warmSize <= 0) return null;
        const taken = await this.#warm.take({ connection, template, timeoutMs, nowMs: Date.now() });
        // Top up behind the run: the next request finds one ready.
        void this.#warm.refill({
          connection,
          template,
          size: warmSize,
          ttlSeconds: limits.maxLifetimeSeconds,
          teamId: input.teamId,
        });
        return taken;
      },
      onSettled: async () => {
        this.#recordIfEnded(sandboxId);
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

    return { ok: true, value: stream };
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

  async keepAlive(sandboxId: string): Promise<Result<SandboxView>> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    if (row.status === "expired" || row.status === "stopped")
      return { ok: false, refusal: expired(row) };
    if (row.status !== "ready" || !row.e2b_id) {
      return {
        ok: false,
        refusal: {
          status: 409,
          code: "sandbox_not_running",
          message: `The sandbox is ${row.status}, so there is nothing to keep alive.`,
          hint: "Keep-alive is for a running preview; recreate the sandbox to run it again.",
        },
      };
    }

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
      this.#capacity?.acquire({ sandboxId, userId: "", ttlMs: target - nowMs });
      await this.#armAlarm();
    }
    return { ok: true, value: toView(this.#store.find(sandboxId) ?? row, nowMs) };
  }

  async stop(sandboxId: string): Promise<Result<SandboxView>> {
    const row = this.#current(sandboxId);
    if (!row) return { ok: false, refusal: notFound() };
    const connection = e2bConnection(this.#env);
    if (row.e2b_id && connection && ["queued", "starting", "ready"].includes(row.status)) {
      await killSandbox(connection, row.e2b_id).catch(() => false);
    }
    if (["queued", "starting", "ready"].includes(row.status)) this.#end(row, "stopped", Date.now());
    await this.#armAlarm();
    return { ok: true, value: toView(this.#store.find(sandboxId) ?? row, Date.now()) };
  }

  /** The Durable Object alarm: ends every sandbox whose time is up, then rearms. */
  async alarm() {
    const connection = e2bConnection(this.#env);
    await this.#expireDue(Date.now(), connection);
    await this.#armAlarm();
  }

  #fallback(input: {
    limits: SandboxLimits;
    connected: boolean;
    nowMs: number;
    browser: boolean;
  }): SandboxFallback | null {
    const stillWorks = input.browser ? "browser" : "code_only";
    if (!input.connected) return null;
    if (input.limits.disabled) {
      return {
        reason: "switched_off",
        message: "Sandboxes are switched off by the operator for now.",
        stillWorks,
      };
    }
    if (this.#breaker.state(input.nowMs) === "open") {
      const retryAt = this.#breaker.retryAtMs();
      return {
        reason: "breaker_open",
        message: `The sandbox service failed several times in a row; Kiln tries it again ${retryAt ? `after ${new Date(retryAt).toISOString()}` : "soon"}.`,
        stillWorks,
      };
    }
    return null;
  }

  /** A slot under the team's cap, or the refusal saying which limit and when one frees up. */
  #takeSlot(input: {
    sandboxId: string;
    userId: string;
    ttlMs: number;
    limits: SandboxLimits;
    nowMs: number;
  }): SandboxRefusal | null {
    if (this.#capacity) {
      const slot = this.#capacity.acquire(input);
      return slot.ok ? null : overCap(slot.limit.limit, slot.limit.limit, slot.limit.resetAt);
    }
    const live = this.#store.countLive(input.nowMs);
    if (live < input.limits.maxConcurrentPerTeam) return null;
    const next = this.#store.nextExpiry();
    return overCap(
      live,
      input.limits.maxConcurrentPerTeam,
      next ? new Date(next).toISOString() : null,
    );
  }

  /** The row, with an overdue live sandbox expired first (the alarm may not have run yet). */
  #current(sandboxId: string): SandboxRow | null {
    const row = this.#store.find(sandboxId);
    if (
      row &&
      ["queued", "starting", "ready"].includes(row.status) &&
      row.expires_at <= Date.now()
    ) {
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
    this.#recordIfEnded(row.id);
  }

  /** Sandbox seconds go to the usage seam once, when the sandbox has ended. */
  #recordIfEnded(sandboxId: string) {
    const row = this.#store.find(sandboxId);
    if (!row || row.ended_at === null || row.recorded === 1) return;
    const view = toView(row, Date.now());
    this.#capacity?.release(sandboxId);
    this.#store.update(sandboxId, { recorded: 1 });
    this.#store.addUsage(new Date(row.ended_at).toISOString().slice(0, 10), view.sandboxSeconds);
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

  async #armAlarm() {
    const next = this.#store.nextExpiry();
    if (next === null) return;
    const current = await this.#ctx.storage.getAlarm();
    if (current === null || current > next) await this.#ctx.storage.setAlarm(next);
  }
}

function overCap(live: number, limit: number, freesAt: string | null): SandboxRefusal {
  return {
    status: 429,
    code: "sandbox_limit_reached",
    message: `Your team has ${live} of ${limit} sandboxes running; none are left.`,
    hint: `Stop a running sandbox${freesAt ? ` or wait until one expires at ${freesAt}` : ""}. The code stays in the viewer meanwhile.`,
  };
}

function unconfigured(browser: boolean): SandboxFallback {
  return {
    reason: "unconfigured",
    message: "No sandbox service is configured here (E2B_API_KEY is not set).",
    stillWorks: browser ? "browser" : "code_only",
  };
}

function unavailableStream(fallback: SandboxFallback): ReadableStream<Uint8Array> {
  const { stream, emit, close } = sandboxEventStream();
  emit({ type: "unavailable", fallback });
  close();
  return stream;
}

function notFound(): SandboxRefusal {
  return {
    status: 404,
    code: "sandbox_not_found",
    message: "That sandbox does not exist in this team.",
    hint: "Run the code again to create a new sandbox.",
  };
}

function expired(row: SandboxRow): SandboxRefusal {
  return {
    status: 409,
    code: "sandbox_expired",
    message: `The sandbox ended at ${new Date(row.ended_at ?? row.expires_at).toISOString()}.`,
    hint: "Recreate it from the saved files with one click.",
  };
}
