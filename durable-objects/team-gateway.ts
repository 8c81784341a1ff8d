/**
 * TeamGateway: one Durable Object per team, the single writer for that
 * team's live state. It owns the streaming proxy to the model providers and
 * the team's temporary code selections; circuit breakers, idempotency keys
 * and the event log are modules it composes, each keeping its rows in this
 * object's SQLite storage (idle objects are evicted, so nothing that must
 * outlive a request lives only on the heap).
 *
 * A chat turn is a short sequence of steps (see fetch and #startAnswer):
 * idempotency claim → the turn's writes queued (while the next steps run) →
 * selections → routing → prompt → result cache → quota/budget reservation
 * (limits/) → attempts and fallback → stream, once the writes are queued →
 * settle (budget settlement included).
 */
import { DurableObject } from "cloudflare:workers";
import type { ContextRequest, Usage } from "../contract/api.ts";
import { nothingTrimmed, promptBudget } from "../contract/prompt-budget.ts";
import type { OpsBreakersResponse } from "../contract/routing.ts";
import { enqueueSettledTurn } from "../worker/db/settled-turn.ts";
import type { Env } from "../worker/env.ts";
import { type ApiError, errorBody } from "../worker/errors.ts";
import { describeLimit, limitCode } from "../worker/limits/explain.ts";
import { logger, setLogLevel } from "../worker/logger.ts";
import { applyIncidentSwitches, readIncidentSwitches } from "../worker/observability/switches.ts";
import {
  type ErrorReply,
  failureReply,
  keyInProgress,
  keyReused,
  replyResponse,
} from "./answer-errors.ts";
import { type FailedAnswer, openAnswer, SKIP_OUTCOMES } from "./attempts.ts";
import { Breakers } from "./breakers.ts";
import { AnswerCache } from "./cache/answer-cache.ts";
import { cachedTurn } from "./cache/cached-turn.ts";
import { promptCacheEnabled, promptCacheKey } from "./cache/prompt-cache.ts";
import {
  type GatewayChatRequest,
  type GatewayStreamRequest,
  MAX_OUTPUT_TOKENS,
  NEW_TURN_HEADER,
} from "./chat-request.ts";
import { ContextStore } from "./context-store.ts";
import { EventLog } from "./event-log.ts";
import { type GenerationOutcome, LiveAnswer } from "./generation.ts";
import { IdempotencyKeys } from "./idempotency.ts";
import { modelClassFor } from "./limits/draft-final.ts";
import { DEFAULT_PRICES_CACHE_MS, TeamLimitsModule } from "./limits/index.ts";
import type { LimitOverrides, PlanId } from "./limits/plans.ts";
import { promptTokensOf, settledUsage } from "./limits/settled-usage.ts";
import { ChatObservation } from "./observability/chat-observer.ts";
import { platformMetrics } from "./observability/platform-metrics.ts";
import { PlatformReports } from "./observability/platform-reports.ts";
import { observedSandboxRuns } from "./observability/sandbox-runs.ts";
import { TeamMetrics } from "./observability/team-metrics.ts";
import { buildPrompt, systemPrompt } from "./prompt.ts";
import { providerClient } from "./providers/registry.ts";
import {
  chainFor,
  isTargetDisabled,
  providerEndpoint,
  RoutingCache,
  readRouting,
  routingCacheMs,
} from "./routing.ts";
import { teamSandboxAccount } from "./sandboxes/account.ts";
import { SandboxAdmission } from "./sandboxes/admission.ts";
import { Sandboxes } from "./sandboxes/manager.ts";
import { TurnKeys } from "./turn-keys.ts";
import { queueTurnWrites, unsavedTurnReply } from "./turn-writes.ts";

const DEFAULT_GRACE_MS = 10_000;
const DEFAULT_KEEPALIVE_MS = 15_000;

export class TeamGateway extends DurableObject<Env> {
  readonly #contexts: ContextStore;
  readonly #turns: TurnKeys;
  readonly #log: EventLog;
  readonly #breakers: Breakers;
  readonly #limits: TeamLimitsModule;
  readonly #metrics: TeamMetrics;
  readonly #routing = new RoutingCache();
  readonly #answers: AnswerCache;
  readonly #platformReports: PlatformReports;
  /** Answers streaming right now, by idempotency key. */
  readonly #live = new Map<string, LiveAnswer>();
  #teamId = "unknown";
  /** The team's sandboxes (durable-objects/sandboxes/). */
  readonly #sandboxes: Sandboxes;
  #admission: SandboxAdmission | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    setLogLevel(env.KILN_LOG_LEVEL);
    const sql = ctx.storage.sql;
    this.#contexts = new ContextStore(sql);
    this.#log = new EventLog(sql);
    this.#turns = new TurnKeys(new IdempotencyKeys(sql), this.#log);
    this.#breakers = new Breakers(sql, {
      teamId: () => this.#teamId,
      // After the turns that led to it, so that the platform's spike rule sees them first.
      onOpened: (provider, reason) =>
        this.ctx.waitUntil(
          this.#platformReports
            .flush()
            .then(() =>
              platformMetrics(env).reportBreakerOpened({ provider, teamId: this.#teamId, reason }),
            ),
        ),
    });
    this.#metrics = new TeamMetrics(sql);
    this.#answers = new AnswerCache(sql, env.KILN_KV);
    this.#platformReports = new PlatformReports(env, (work) => ctx.waitUntil(work));
    this.#limits = new TeamLimitsModule({
      sql,
      kv: env.KILN_KV,
      pricesCacheMs: numberSetting(env.KILN_PRICES_CACHE_MS, DEFAULT_PRICES_CACHE_MS),
      waitUntil: (promise) => ctx.waitUntil(promise),
      onOverrun: (overrun) => platformMetrics(env).reportBudgetOverrun(overrun),
    });
    this.#sandboxes = new Sandboxes(ctx, env, {
      account: teamSandboxAccount(this.#limits),
      observeRun: observedSandboxRuns({
        env,
        waitUntil: (work) => ctx.waitUntil(work),
        recordStart: (start) => this.recordSandboxStart(start),
      }),
    });
  }

  // Limits (durable-objects/limits/): quotas, budgets, usage ledger, sandbox cap.
  reserveGeneration(options: {
    userId: string;
    model: string;
    promptTokens: number;
    maxOutputTokens: number;
  }) {
    return this.#limits.reserveGeneration({ ...options, now: Date.now() });
  }

  settleGeneration(options: {
    teamId: string;
    reservationId: string;
    userId: string;
    model: string;
    usage: Usage;
    failed: boolean;
  }) {
    return this.#limits.settleGeneration({ ...options, now: Date.now() });
  }

  /** For the sandbox module: take a slot before starting a sandbox, or learn why not. */
  acquireSandboxSlot(options: { sandboxId: string; userId: string; ttlMs?: number }) {
    return this.#limits.acquireSandboxSlot({ ...options, now: Date.now() });
  }

  releaseSandboxSlot(sandboxId: string) {
    this.#limits.releaseSandboxSlot(sandboxId);
  }

  limitsView() {
    return this.#limits.limitsView();
  }

  setLimitOverrides(overrides: LimitOverrides, teamId = this.#teamId) {
    return this.#limits.setOverrides(overrides, { teamId, now: Date.now() });
  }

  setPlan(plan: PlanId) {
    this.#limits.setPlan(plan);
  }

  setAlertWebhook(url: string | null) {
    this.#limits.setWebhook(url);
  }

  usage(options: { fromDay: string; toDay: string; userId: string | undefined }) {
    return this.#limits.usage({ ...options, now: Date.now() });
  }

  override async alarm() {
    await this.#sandboxes.alarm();
  }

  openSandbox(input: Parameters<Sandboxes["open"]>[0]) {
    return this.#sandboxes.open(input);
  }

  recreateSandbox(input: Parameters<Sandboxes["recreate"]>[0]) {
    return this.#sandboxes.recreate(input);
  }

  sandboxStatus(sandboxId: string) {
    return this.#sandboxes.status(sandboxId);
  }

  sandboxLogs(sandboxId: string) {
    return this.#sandboxes.logs(sandboxId);
  }

  followSandboxRuntime(sandboxId: string) {
    return this.#sandboxes.followRuntime(sandboxId);
  }

  keepSandboxAlive(sandboxId: string) {
    return this.#sandboxes.keepAlive(sandboxId);
  }

  stopSandbox(sandboxId: string) {
    return this.#sandboxes.stop(sandboxId);
  }

  /** Only on the one global instance named ADMISSION_OBJECT_NAME (sandboxes/admission.ts). */
  admitSandboxCreation(input: { ticket: string; perMinute: number }) {
    this.#admission ??= new SandboxAdmission(this.ctx.storage.sql);
    return this.#admission.admit({ ...input, nowMs: Date.now() });
  }

  leaveSandboxQueue(ticket: string) {
    this.#admission ??= new SandboxAdmission(this.ctx.storage.sql);
    this.#admission.leave(ticket);
  }

  /** The team's rolling figures for its dashboard (`GET /api/metrics`). */
  metrics(teamId: string) {
    return this.#metrics.read(teamId, Date.now());
  }

  /** One sandbox, failed or not, into the team's and the platform's figures. */
  recordSandboxStart(options: { teamId: string; failed: boolean }) {
    this.#metrics.recordSandbox({ failed: options.failed }, Date.now());
    this.ctx.waitUntil(platformMetrics(this.env).recordSandbox(options));
  }

  /** Keeps a code selection as temporary context for a later message. */
  saveContext(options: { selection: ContextRequest; userId: string }) {
    return this.#contexts.save({ ...options, now: Date.now() });
  }

  /** Stop: aborts the upstream call at once; false when nothing is streaming for `key`. */
  stop(key: string): boolean {
    const live = this.#live.get(key);
    if (!live || live.finished) return false;
    live.stop("stopped");
    return true;
  }

  breakerStates(): OpsBreakersResponse {
    return { teamId: this.#teamId, breakers: this.#breakers.list() };
  }

  /**
   * `POST /api/chat`'s one call: claim the key with the body's fingerprint;
   * for the first request with it, queue the turn's writes and start the
   * answer; then stream, join or replay the answer for the key.
   */
  override async fetch(request: Request): Promise<Response> {
    const body = (await request.json()) as GatewayStreamRequest;
    const { chat } = body.turn;
    const observation = new ChatObservation({
      env: this.env,
      waitUntil: (work) => this.ctx.waitUntil(work),
      traceparent: request.headers.get("traceparent"),
      chat: { requestId: body.requestId, teamId: chat.teamId, userId: chat.userId },
    });
    try {
      const claim = this.#turns.claim({
        key: body.key,
        bodyHash: body.turn.bodyHash,
        now: Date.now(),
      });
      if (claim === "mismatch") return keyReused(body.requestId, observation.trace.traceId);
      if (claim === "existing") {
        return await this.#answerFor(body, request.signal, observation.trace.traceId);
      }

      this.#teamId = chat.teamId;
      // The turn's writes go to the queue while its answer is prepared and the provider called;
      // nothing reaches the client before they are queued (#startAnswer waits for `saving`).
      const saving = queueTurnWrites(this.env, body.turn, (work) => this.ctx.waitUntil(work));
      const refused = await this.#startAnswer(body.key, chat, observation, saving);
      // A new answer, so the client has seen none of it, whatever its Last-Event-ID says (a key
      // this object no longer holds: older than a day, or pruned): it gets all of it, meta first.
      const fromStart = { ...body, lastEventId: 0 };
      const response =
        refused ?? (await this.#answerFor(fromStart, request.signal, observation.trace.traceId));
      const headers = new Headers(response.headers);
      headers.set(NEW_TURN_HEADER, "1");
      return new Response(response.body, { status: response.status, headers });
    } catch (error) {
      this.ctx.waitUntil(observation.reportError(error));
      throw error;
    }
  }

  /** Streams, joins or replays the answer for a key, from `lastEventId` on. */
  async #answerFor(
    body: GatewayStreamRequest,
    signal: AbortSignal,
    traceId: string,
  ): Promise<Response> {
    if (!this.#live.has(body.key)) await this.#turns.waitForStart(body.key);
    const live = this.#live.get(body.key);
    if (live) {
      const state = await live.started;
      if (state.ok) return live.subscribe({ lastEventId: body.lastEventId, replay: false, signal });
      return replyResponse(this.#failureReply(state.failure, body.requestId, traceId));
    }

    const record = this.#turns.find(body.key);
    if (record?.status === "failed" && record.errorBody !== null) {
      return replyResponse({
        status: record.errorStatus ?? 502,
        body: record.errorBody,
        retryAfterSeconds: record.retryAfterSeconds,
      });
    }
    if (record?.status === "complete") return this.#turns.replay(body.key, body.lastEventId);
    return keyInProgress(body.requestId, traceId);
  }

  /** The chat orchestration: a short sequence of steps, each a module. */
  async #startAnswer(
    key: string,
    chat: GatewayChatRequest,
    observation: ChatObservation,
    saving: Promise<ApiError | null>,
  ): Promise<Response | null> {
    const startedAt = Date.now();
    /** Before anything is committed or sent: the refusal when the turn could not be saved. */
    const unsaved = async () => {
      const problem = await saving;
      if (!problem) return null;
      this.#turns.release(key);
      return unsavedTurnReply(problem, chat, observation);
    };

    // 1. Saved selections the message refers to.
    const { found, missing } = this.#contexts.find(chat.contextIds, startedAt);
    if (missing.length > 0) {
      return (
        (await unsaved()) ??
        this.#refuse(key, 422, {
          code: "context_not_found",
          message: `${missing.length} attached selection(s) expired or do not exist.`,
          hint: "Select the lines again and resend the message.",
          requestId: chat.requestId,
          traceId: observation.trace.traceId,
        })
      );
    }

    // 2. Routing: the chain of targets for the requested model class, read from KV
    // (first answers on the draft class, "Improve" on the final one).
    const routing = await this.#routing.get(() => readRouting(this.env), routingCacheMs(this.env));
    // Incident switches (provider off, forced fallback) act through the routing config.
    const switches = await readIncidentSwitches(this.env);
    const config = applyIncidentSwitches(routing.config, switches);
    const modelClass = modelClassFor({ ...chat, classes: Object.keys(config.classes) });
    const chain = chainFor(config, modelClass);
    const budgetModel = chain[0]?.model ?? "unknown";

    // 3. The prompt, trimmed to the first target's budget; what was left out goes in `meta`.
    const system = systemPrompt(chat.template);
    const prompt = buildPrompt({
      history: chat.history,
      message: chat.message,
      attachments: [...chat.attachments, ...found],
      budget: promptBudget(budgetModel),
    });
    const messages = prompt.messages;
    const promptTokens = promptTokensOf(system, messages);

    // 4. The result cache (free, counted), then the worst-case reservation of quota and budget.
    const cacheKey =
      promptCacheEnabled(this.env.KILN_PROMPT_CACHE) && chat.quality !== "final"
        ? await promptCacheKey({
            teamId: chat.teamId,
            model: budgetModel,
            system,
            messages,
            maxOutputTokens: MAX_OUTPUT_TOKENS,
          })
        : undefined;
    const cached = cacheKey
      ? await this.#answerFromCache({ key, chat, cacheKey, chain, startedAt, observation, unsaved })
      : null;
    if (cached) return cached;

    const admission = await this.#limits.reserveGeneration({
      userId: chat.userId,
      // TODO(soon): price the dearest target of the chain, since a fallback may serve.
      model: budgetModel,
      promptTokens,
      maxOutputTokens: MAX_OUTPUT_TOKENS,
      now: startedAt,
    });
    if (!admission.ok) {
      const refusedUnsaved = await unsaved();
      if (refusedUnsaved) return refusedUnsaved;
      const { message, hint } = describeLimit(admission.limit);
      return this.#refuse(
        key,
        429,
        {
          code: limitCode(admission.limit),
          message,
          hint,
          requestId: chat.requestId,
          limit: admission.limit,
        },
        admission.limit.retryAfterSeconds,
      );
    }
    const reservationId = admission.reservation.id;

    // 5. The attempts along the chain start now, while the turn's writes are still being queued
    // (a send is milliseconds in production, each one added to the time to first token).
    const early = new AbortController();
    const opening = openAnswer({
      chain,
      isDisabled: (target) => isTargetDisabled(config, target),
      breakers: this.#breakers,
      providerFor: (target) => {
        const endpoint = providerEndpoint(this.env, target.provider);
        return endpoint ? providerClient(endpoint) : null;
      },
      request: {
        system,
        messages,
        maxOutputTokens: MAX_OUTPUT_TOKENS,
        headers: observation.providerHeaders(),
      },
      signal: early.signal,
    });
    const notSaved = await unsaved();
    if (notSaved) {
      early.abort();
      this.#limits.releaseGeneration(reservationId);
      void opening.then((opened) => this.#discard(opened)).catch(() => {});
      return notSaved;
    }

    // 6. The live answer: the stream to every subscriber.
    const live = new LiveAnswer({
      key,
      log: this.#log,
      requestId: chat.requestId,
      meta: {
        conversationId: chat.conversationId,
        userMessageId: chat.userMessageId,
        assistantMessageId: chat.assistantMessageId,
        ...(nothingTrimmed(prompt.trimmed) ? {} : { trimmed: prompt.trimmed }),
      },
      keepAliveMs: numberSetting(this.env.KILN_SSE_KEEPALIVE_MS, DEFAULT_KEEPALIVE_MS),
      graceMs: numberSetting(this.env.KILN_STREAM_GRACE_MS, DEFAULT_GRACE_MS),
      promptChars:
        system.length + messages.reduce((sum, message) => sum + message.content.length, 0),
      maxOutputTokens: MAX_OUTPUT_TOKENS,
      isSimulated: (provider) => provider.startsWith("simulator"),
      onSettled: async (outcome) => {
        const costMicroUsd = await this.#limits.settleAnswer({
          chat,
          reservationId,
          model: outcome.model ?? budgetModel,
          usage: settledUsage({ ...outcome, promptTokens }),
          failed: outcome.status === "error",
        });
        const whole = outcome.status === "complete" && !outcome.textCut;
        if (cacheKey && whole && outcome.finishReason === "stop") {
          const answer = {
            text: outcome.text,
            finishReason: "stop",
            createdAt: new Date().toISOString(),
          };
          this.ctx.waitUntil(this.#answers.write(cacheKey, answer, Date.now()));
        }
        await this.#settle({ key, chat, outcome, startedAt, observation, costMicroUsd });
      },
    });
    this.#live.set(key, live);
    this.#turns.mark(key, "running");

    void live.run((signal) => {
      signal.addEventListener("abort", () => early.abort(), { once: true });
      return opening;
    });
    return null;
  }

  /** An answer opened for a turn that could not be saved: closed, its breaker trial given back. */
  #discard(opened: Awaited<ReturnType<typeof openAnswer>>) {
    if (opened.kind !== "opened") return;
    if (opened.breakerTrial !== null) {
      this.#breakers.release(opened.target.provider, opened.breakerTrial);
    }
    void opened.rest.return?.().catch(() => {});
  }

  /**
   * 7. Settle: the breaker learns how the serving target did, the key
   * remembers the outcome, and the answer joins the conversation history.
   * Issue 5 adds usage/cost settlement of the reservation here; the
   * observability hooks read the same outcome.
   */
  async #settle(options: {
    key: string;
    chat: GatewayChatRequest;
    outcome: GenerationOutcome;
    startedAt: number;
    observation: ChatObservation;
    costMicroUsd: number;
  }) {
    const { key, chat, outcome, observation } = options;
    this.#live.delete(key);

    if (outcome.provider && outcome.status !== "aborted") {
      const failed = outcome.error?.countsAsProviderFault ?? false;
      this.#breakers.record(outcome.provider, !failed);
    } else if (outcome.provider && outcome.breakerTrial !== null) {
      // A stopped answer is neither a success nor a failure: give the trial back.
      this.#breakers.release(outcome.provider, outcome.breakerTrial);
    }
    if (outcome.failedBeforeFirstByte && outcome.error) {
      const allOpen =
        outcome.attempts.some((attempt) => attempt.outcome === "breaker_open") &&
        outcome.attempts.every((attempt) => SKIP_OUTCOMES.includes(attempt.outcome));
      // The provider's own words stay here (the person gets Kiln's): bounded, for the operator.
      observation.log.warn("chat.provider_failed", {
        // No target served: name the last one called (skipped ones were not).
        provider:
          outcome.provider ??
          outcome.attempts.filter((attempt) => !SKIP_OUTCOMES.includes(attempt.outcome)).at(-1)
            ?.provider ??
          null,
        kind: outcome.error.kind,
        detail: outcome.error.message.slice(0, 300),
      });
      const reply = this.#failureReply(
        { kind: "failed", error: outcome.error, allOpen, attempts: outcome.attempts },
        chat.requestId,
        observation.trace.traceId,
      );
      this.#turns.mark(key, "failed", reply);
    } else {
      this.#turns.mark(key, "complete");
    }

    // The turn's one `chat.request` line, metrics, platform report and spans (issue 7).
    observation.settle(
      {
        outcome,
        startedAt: options.startedAt,
        cacheHit: false,
        costMicroUsd: options.costMicroUsd,
      },
      { metrics: this.#metrics, platform: this.#platformReports },
    );

    // Saved through the write queue (worker/db/write-queue.ts): no Postgres wait here.
    try {
      await enqueueSettledTurn(this.env, {
        chat,
        outcome,
        latencyMs: Date.now() - options.startedAt,
      });
    } catch (error) {
      observation.log.error("chat.save_failed", { error: String(error) });
    }
  }

  /**
   * A cached answer for this prompt, replayed as a stream marked `cached`: it
   * goes into the event log like a live one (so a duplicate of the key
   * replays it too), costs nothing and counts as a cache hit.
   */
  async #answerFromCache(options: {
    key: string;
    chat: GatewayChatRequest;
    cacheKey: string;
    chain: { provider: string; model: string }[];
    startedAt: number;
    observation: ChatObservation;
    /** The refusal when the turn could not be saved, awaited before the hit is committed. */
    unsaved: () => Promise<Response | null>;
  }): Promise<Response | null> {
    const { key, chat } = options;
    const cached = await this.#answers.read(options.cacheKey, options.startedAt);
    if (!cached) return null;
    const unsaved = await options.unsaved();
    if (unsaved) return unsaved;

    const {
      model,
      events,
      outcome: replayed,
    } = cachedTurn({
      chat,
      first: options.chain[0],
      cached,
    });
    this.#log.begin(key);
    for (const [index, event] of events.entries()) this.#log.append(key, { id: index + 1, event });
    this.#turns.mark(key, "complete");
    this.#limits.recordCacheHit({ userId: chat.userId, model, now: Date.now() });
    options.observation.settle(
      { outcome: replayed, startedAt: options.startedAt, cacheHit: true, costMicroUsd: 0 },
      { metrics: this.#metrics, platform: this.#platformReports },
    );
    // Saved through the write queue like a live answer: no Postgres wait here.
    this.ctx.waitUntil(
      enqueueSettledTurn(this.env, { chat, outcome: replayed, latencyMs: 0 }).catch((error) =>
        logger.error("chat.save_failed", { requestId: chat.requestId, error: String(error) }),
      ),
    );
    return this.#turns.replay(key, 0);
  }

  #failureReply(failure: FailedAnswer, requestId: string, traceId?: string): ErrorReply {
    return failureReply({
      failure,
      requestId,
      traceId,
      reopensAt: this.#breakers.earliestReopen(failure.attempts.map((attempt) => attempt.provider)),
      now: Date.now(),
    });
  }

  /** A turn refused before any provider call: remembered for duplicates of its key. */
  #refuse(
    key: string,
    status: number,
    body: Parameters<typeof errorBody>[0],
    retryAfterSeconds: number | null = null,
  ): Response {
    const text = JSON.stringify(errorBody(body));
    this.#turns.mark(key, "failed", { status, body: text, retryAfterSeconds });
    return replyResponse({ status, body: text, retryAfterSeconds });
  }
}

function numberSetting(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(number) && number >= 0
    ? number
    : fallback;
}
