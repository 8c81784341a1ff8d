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
import { isProviderSwitchedOff, readIncidentSwitches } from "../worker/observability/switches.ts";
import { type GatewayChatRequest, MAX_OUTPUT_TOKENS } from "./chat-request.ts";
import { ContextStore } from "./context-store.ts";
import { type GenerationOutcome, startGeneration } from "./generation.ts";
import { ChatObservation } from "./observability/chat-observer.ts";
import { platformMetrics } from "./observability/platform-metrics.ts";
import { TeamMetrics } from "./observability/team-metrics.ts";
import { buildMessages, systemPrompt } from "./prompt.ts";
import { createProvider } from "./providers/registry.ts";
import type { ProviderError } from "./providers/types.ts";

export class TeamGateway extends DurableObject<Env> {
  readonly #contexts: ContextStore;
  readonly #metrics: TeamMetrics;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#contexts = new ContextStore(ctx.storage.sql);
    this.#metrics = new TeamMetrics(ctx.storage.sql);
  }

  /** The team's rolling figures for its dashboard (`GET /api/metrics`). */
  metrics(teamId: string) {
    return this.#metrics.read(teamId, Date.now());
  }

  /** Hook for the sandbox module: one start, failed or not, into the team's and the platform's figures. */
  recordSandboxStart(options: { teamId: string; failed: boolean }) {
    this.#metrics.recordSandbox({ failed: options.failed }, Date.now());
    this.ctx.waitUntil(platformMetrics(this.env).recordSandbox(options));
  }

  /** Keeps a code selection as temporary context for a later message. */
  saveContext(options: { selection: ContextRequest; userId: string }) {
    return this.#contexts.save({ ...options, now: Date.now() });
  }

  override async fetch(request: Request): Promise<Response> {
    const body = (await request.json()) as GatewayChatRequest;
    const observation = new ChatObservation({
      env: this.env,
      waitUntil: (work) => this.ctx.waitUntil(work),
      traceparent: request.headers.get("traceparent"),
      chat: body,
    });
    try {
      return await this.#chat(body, observation);
    } catch (error) {
      this.ctx.waitUntil(observation.reportError(error));
      throw error;
    }
  }

  async #chat(chat: GatewayChatRequest, observation: ChatObservation): Promise<Response> {
    const { found, missing } = this.#contexts.find(chat.contextIds, Date.now());
    if (missing.length > 0) {
      return Response.json(
        errorBody({
          code: "context_not_found",
          message: `${missing.length} attached selection(s) expired or do not exist.`,
          hint: "Select the lines again and resend the message.",
          requestId: chat.requestId,
          traceId: observation.trace.traceId,
        }),
        { status: 422 },
      );
    }

    const settings = providerSettings(this.env);
    const provider = createProvider(settings);
    // TODO(soon): act through the gateway's routing config once it lands (issue 7 hook).
    const switches = await readIncidentSwitches(this.env.KILN_KV);
    if (isProviderSwitchedOff(switches, provider.name)) {
      return switchedOffResponse(provider.name, chat.requestId, observation.trace.traceId);
    }
    const forced = switches.forcedFallback?.provider === provider.name;
    const model =
      (forced ? switches.forcedFallback?.model : undefined) ?? chat.model ?? settings.model;
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
        headers: observation.providerHeaders(),
      },
      onSettled: async (outcome) => {
        observation.settle({ provider: provider.name, model, outcome, startedAt }, this.#metrics);
        await this.#settle({ chat, provider: provider.name, model, outcome, observation });
      },
    });

    if (started.kind === "streaming") return started.response;
    return providerFailureResponse(started.error, chat.requestId, observation.trace.traceId);
  }

  /** Records how a generation ended: the answer joins the conversation history. */
  async #settle(options: {
    chat: GatewayChatRequest;
    provider: string;
    model: string;
    outcome: GenerationOutcome;
    observation: ChatObservation;
  }) {
    const { chat, outcome } = options;

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
      options.observation.log.error("chat.save_failed", { error: String(error) });
    }
  }
}

function switchedOffResponse(provider: string, requestId: string, traceId: string): Response {
  return Response.json(
    errorBody({
      code: "provider_unavailable",
      message: `${provider} is switched off by Kiln's operators during an incident.`,
      hint: "Try again in a few minutes, or pick another model if one is offered.",
      requestId,
      traceId,
    }),
    { status: 503, headers: { "Retry-After": "60" } },
  );
}

function providerFailureResponse(
  error: ProviderError,
  requestId: string,
  traceId: string,
): Response {
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
      traceId,
    }),
    { status, headers: unavailable ? { "Retry-After": "5" } : {} },
  );
}
