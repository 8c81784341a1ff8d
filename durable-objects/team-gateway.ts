/**
 * TeamGateway: one Durable Object per team, the single writer for that
 * team's live state. It owns the streaming proxy to the model providers and
 * the team's temporary code selections today; quotas and budgets, circuit
 * breakers, idempotency keys and sandboxes join it as separate modules the
 * class composes, each keeping its rows in this object's SQLite storage
 * (idle objects are evicted, so nothing lives only on the heap).
 */
import { DurableObject } from "cloudflare:workers";
import type { ChatStreamEvent, ContextRequest, Usage } from "../contract/api.ts";
import { nothingTrimmed, promptBudget } from "../contract/prompt-budget.ts";
import { providerSettings } from "../worker/config.ts";
import { withSql } from "../worker/db/client.ts";
import { insertMessage } from "../worker/db/conversations.ts";
import type { Env } from "../worker/env.ts";
import { errorBody } from "../worker/errors.ts";
import { limitResponse } from "../worker/limits/explain.ts";
import { logger } from "../worker/logger.ts";
import {
  promptCacheEnabled,
  promptCacheKey,
  readCachedAnswer,
  replayCachedAnswer,
  writeCachedAnswer,
} from "./cache/prompt-cache.ts";
import { type GatewayChatRequest, MAX_OUTPUT_TOKENS } from "./chat-request.ts";
import { ContextStore } from "./context-store.ts";
import { type GenerationOutcome, startGeneration } from "./generation.ts";
import { TeamLimitsModule } from "./limits/index.ts";
import type { LimitOverrides, PlanId } from "./limits/plans.ts";
import { promptTokensOf, settledUsage } from "./limits/settled-usage.ts";
import { buildPrompt, systemPrompt } from "./prompt.ts";
import { createProvider } from "./providers/registry.ts";
import type { ProviderError } from "./providers/types.ts";
import { chooseModel } from "./routing/draft-final.ts";

export class TeamGateway extends DurableObject<Env> {
  readonly #contexts: ContextStore;
  readonly #limits: TeamLimitsModule;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#contexts = new ContextStore(ctx.storage.sql);
    this.#limits = new TeamLimitsModule({
      sql: ctx.storage.sql,
      kv: env.KILN_KV,
      waitUntil: (promise) => ctx.waitUntil(promise),
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

  setLimitOverrides(overrides: LimitOverrides) {
    return this.#limits.setOverrides(overrides);
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

  /** Keeps a code selection as temporary context for a later message. */
  saveContext(options: { selection: ContextRequest; userId: string }) {
    return this.#contexts.save({ ...options, now: Date.now() });
  }

  override async fetch(request: Request): Promise<Response> {
    const body = (await request.json()) as GatewayChatRequest;
    return this.#chat(body);
  }

  async #chat(chat: GatewayChatRequest): Promise<Response> {
    const { found, missing } = this.#contexts.find(chat.contextIds, Date.now());
    if (missing.length > 0) {
      return Response.json(
        errorBody({
          code: "context_not_found",
          message: `${missing.length} attached selection(s) expired or do not exist.`,
          hint: "Select the lines again and resend the message.",
          requestId: chat.requestId,
        }),
        { status: 422 },
      );
    }

    const settings = providerSettings(this.env);
    const provider = createProvider(settings);
    const model = chooseModel({
      requested: chat.model,
      quality: chat.quality,
      env: this.env,
      fallback: settings.model,
    });
    const meta: Extract<ChatStreamEvent, { type: "meta" }> = {
      type: "meta",
      conversationId: chat.conversationId,
      userMessageId: chat.userMessageId,
      assistantMessageId: chat.assistantMessageId,
      provider: provider.name,
      model,
      simulated: settings.simulated,
    };
    const startedAt = Date.now();

    const system = systemPrompt(chat.template);
    const prompt = buildPrompt({
      history: chat.history,
      message: chat.message,
      attachments: [...chat.attachments, ...found],
      budget: promptBudget(model),
    });
    if (!nothingTrimmed(prompt.trimmed)) meta.trimmed = prompt.trimmed;
    const promptTokens = promptTokensOf(system, prompt.messages);

    const cacheKey =
      promptCacheEnabled(this.env.KILN_PROMPT_CACHE) && chat.quality !== "final"
        ? await promptCacheKey({
            teamId: chat.teamId,
            model,
            system,
            messages: prompt.messages,
            maxOutputTokens: MAX_OUTPUT_TOKENS,
          })
        : undefined;
    const cached = cacheKey ? await readCachedAnswer(this.env.KILN_KV, cacheKey) : null;
    if (cached) {
      this.#limits.recordCacheHit({ userId: chat.userId, model, now: startedAt });
      const outcome: GenerationOutcome = {
        status: "complete",
        text: cached.text,
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
        finishReason: cached.finishReason,
        error: null,
      };
      this.ctx.waitUntil(
        this.#settle({ chat, provider: provider.name, model, outcome, startedAt }),
      );
      return replayCachedAnswer(meta, cached);
    }

    const admission = await this.#limits.reserveGeneration({
      userId: chat.userId,
      model,
      promptTokens,
      maxOutputTokens: MAX_OUTPUT_TOKENS,
      now: startedAt,
    });
    if (!admission.ok) return limitResponse(admission.limit, chat.requestId);
    const reservationId = admission.reservation.id;

    const started = await startGeneration({
      provider,
      requestId: chat.requestId,
      meta,
      request: { model, system, messages: prompt.messages, maxOutputTokens: MAX_OUTPUT_TOKENS },
      onSettled: async (outcome) => {
        await this.#settleBudget({ chat, model, outcome, promptTokens, reservationId });
        if (cacheKey && outcome.status === "complete" && outcome.finishReason === "stop") {
          const answer = {
            text: outcome.text,
            finishReason: "stop",
            createdAt: new Date().toISOString(),
          };
          this.ctx.waitUntil(writeCachedAnswer(this.env.KILN_KV, cacheKey, answer));
        }
        await this.#settle({ chat, provider: provider.name, model, outcome, startedAt });
      },
    });

    if (started.kind === "streaming") return started.response;
    return providerFailureResponse(started.error, chat.requestId);
  }

  /** Real usage replaces the reservation; a ledger fault is logged, never thrown at the stream. */
  async #settleBudget(options: {
    chat: GatewayChatRequest;
    model: string;
    outcome: GenerationOutcome;
    promptTokens: number;
    reservationId: string;
  }) {
    const { chat, outcome } = options;
    try {
      await this.#limits.settleGeneration({
        teamId: chat.teamId,
        reservationId: options.reservationId,
        userId: chat.userId,
        model: options.model,
        usage: settledUsage({ ...outcome, promptTokens: options.promptTokens }),
        failed: outcome.status === "error",
        now: Date.now(),
      });
    } catch (error) {
      logger.error("limits.settle_failed", { requestId: chat.requestId, error: String(error) });
    }
  }

  /** Records how a generation ended: the answer joins the conversation history. */
  async #settle(options: {
    chat: GatewayChatRequest;
    provider: string;
    model: string;
    outcome: GenerationOutcome;
    startedAt: number;
  }) {
    const { chat, outcome } = options;
    logger.info("chat.settled", {
      requestId: chat.requestId,
      teamId: chat.teamId,
      provider: options.provider,
      model: options.model,
      outcome: outcome.status,
      errorKind: outcome.error?.kind,
      inputTokens: outcome.usage.inputTokens,
      outputTokens: outcome.usage.outputTokens,
      latencyMs: Date.now() - options.startedAt,
    });

    // TODO(soon): send this through a Queue in batches so the chat path never waits on
    // Postgres (DESIGN.md, "request log"); for now a failed write is logged, not retried.
    try {
      await withSql(this.env, (sql) =>
        insertMessage(sql, {
          id: chat.assistantMessageId,
          conversationId: chat.conversationId,
          teamId: chat.teamId,
          authorId: null,
          role: "assistant",
          content: outcome.text,
          status: outcome.status === "streaming" ? "error" : outcome.status,
          provider: options.provider,
          model: options.model,
          usage: outcome.usage,
          errorCode: outcome.error?.kind ?? null,
        }),
      );
    } catch (error) {
      logger.error("chat.save_failed", { requestId: chat.requestId, error: String(error) });
    }
  }
}

function providerFailureResponse(error: ProviderError, requestId: string): Response {
  const unavailable = error.retryable;
  const status = unavailable ? 503 : 502;
  return Response.json(
    errorBody({
      code: unavailable ? "provider_unavailable" : "provider_error",
      message: error.message,
      hint: unavailable
        ? "The model provider is busy or unreachable; try again in a moment."
        : "The model provider refused the request; an operator should check its configuration.",
      requestId,
    }),
    { status, headers: unavailable ? { "Retry-After": "5" } : {} },
  );
}
