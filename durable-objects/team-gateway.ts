/**
 * TeamGateway: one Durable Object per team, the single writer for that
 * team's live state. It owns the streaming proxy to the model providers and
 * the team's temporary code selections today; quotas and budgets, circuit
 * breakers, idempotency keys and sandboxes join it as separate modules the
 * class composes, each keeping its rows in this object's SQLite storage
 * (idle objects are evicted, so nothing lives only on the heap).
 */
import { DurableObject } from "cloudflare:workers";
import type { ChatStreamEvent, ContextRequest } from "../contract/api.ts";
import { providerSettings } from "../worker/config.ts";
import { withSql } from "../worker/db/client.ts";
import { insertMessage } from "../worker/db/conversations.ts";
import type { Env } from "../worker/env.ts";
import { errorBody } from "../worker/errors.ts";
import { logger } from "../worker/logger.ts";
import { type GatewayChatRequest, MAX_OUTPUT_TOKENS } from "./chat-request.ts";
import { ContextStore } from "./context-store.ts";
import { type GenerationOutcome, startGeneration } from "./generation.ts";
import { buildMessages, systemPrompt } from "./prompt.ts";
import { createProvider } from "./providers/registry.ts";
import type { ProviderError } from "./providers/types.ts";
import { SandboxAdmission } from "./sandboxes/admission.ts";
import { Sandboxes } from "./sandboxes/manager.ts";

export class TeamGateway extends DurableObject<Env> {
  readonly #contexts: ContextStore;
  /** The team's sandboxes (durable-objects/sandboxes/). */
  readonly #sandboxes: Sandboxes;
  #admission: SandboxAdmission | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#contexts = new ContextStore(ctx.storage.sql);
    this.#sandboxes = new Sandboxes(ctx, env);
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
    const model = chat.model ?? settings.model;
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

    const started = await startGeneration({
      provider,
      requestId: chat.requestId,
      meta,
      request: {
        model,
        system: systemPrompt(chat.template),
        messages: buildMessages({
          history: chat.history,
          message: chat.message,
          attachments: [...chat.attachments, ...found],
        }),
        maxOutputTokens: MAX_OUTPUT_TOKENS,
      },
      onSettled: (outcome) =>
        this.#settle({ chat, provider: provider.name, model, outcome, startedAt }),
    });

    if (started.kind === "streaming") return started.response;
    return providerFailureResponse(started.error, chat.requestId);
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
