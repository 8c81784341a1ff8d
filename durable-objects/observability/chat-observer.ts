/**
 * What the team object does to be observable around one chat turn, kept
 * out of TeamGateway so its hooks stay one-liners: the team-object span and
 * the provider-call span (a child, whose `traceparent` goes to the
 * provider), the one `chat.request` log line when the turn settles, the
 * team's rolling metrics, the platform-wide report (PlatformMetrics and
 * Analytics Engine), the spans' export, and a Sentry report for failures
 * that mean Kiln is misconfigured rather than a provider having a bad day.
 */
import type { Env } from "../../worker/env.ts";
import { type Logger, logger } from "../../worker/logger.ts";
import { hashUser } from "../../worker/observability/identity.ts";
import { createErrorReporter } from "../../worker/observability/sentry.ts";
import { exportSpans, otlpSettings, type Span } from "../../worker/observability/spans.ts";
import {
  childTrace,
  continueTrace,
  formatTraceparent,
  type TraceContext,
} from "../../worker/observability/trace.ts";
import { SKIP_OUTCOMES } from "../attempts.ts";
import type { GenerationOutcome } from "../generation.ts";
import type { PlatformReports } from "./platform-reports.ts";
import type { TeamMetrics } from "./team-metrics.ts";

/** Provider failures that an operator must fix (a key, a model name), worth a Sentry report. */
const CONFIGURATION_ERRORS = new Set(["auth", "bad_request"]);

/** Attempt outcomes that say nothing about the provider's health. */
const NOT_PROVIDER_FAULTS = new Set(["ok", "aborted", "context_length", "content_filter"]);

export type ChatSettlement = {
  outcome: GenerationOutcome;
  startedAt: number;
  /** Answered from the prompt cache (no provider call, no cost). */
  cacheHit: boolean;
  /** The settled cost from the budget ledger. */
  costMicroUsd: number;
};

/** The provider that served, or the last one tried when none did. */
function providerOf(outcome: GenerationOutcome): { provider: string; model: string } {
  const tried = outcome.attempts
    .filter((attempt) => !SKIP_OUTCOMES.includes(attempt.outcome))
    .at(-1);
  return {
    provider: outcome.provider ?? tried?.provider ?? "none",
    model: outcome.model ?? tried?.model ?? "none",
  };
}

export class ChatObservation {
  /** This hop: the team object, a child of the Worker's span. */
  readonly trace: TraceContext;
  readonly log: Logger;
  readonly #provider: TraceContext;
  readonly #env: Env;
  readonly #waitUntil: (work: Promise<unknown>) => void;
  readonly #chat: { requestId: string; teamId: string; userId: string };

  constructor(options: {
    env: Env;
    waitUntil: (work: Promise<unknown>) => void;
    traceparent: string | null;
    chat: { requestId: string; teamId: string; userId: string };
  }) {
    this.#env = options.env;
    this.#waitUntil = options.waitUntil;
    this.#chat = options.chat;
    this.trace = continueTrace(options.traceparent);
    this.#provider = childTrace(this.trace);
    this.log = logger.child({
      requestId: options.chat.requestId,
      traceId: this.trace.traceId,
      teamId: options.chat.teamId,
    });
  }

  /** Headers for the provider call, so the provider's own logs join the trace. */
  providerHeaders(): Record<string, string> {
    return { traceparent: formatTraceparent(this.#provider) };
  }

  /** Called once when the turn ends, however it ends; never throws. */
  settle(settlement: ChatSettlement, sinks: { metrics: TeamMetrics; platform: PlatformReports }) {
    const now = Date.now();
    const { outcome } = settlement;
    const target = providerOf(outcome);
    const errorKind = outcome.status === "aborted" ? null : (outcome.error?.kind ?? null);
    const latencyMs = now - settlement.startedAt;
    const timeToFirstTokenMs = outcome.firstTextAt
      ? outcome.firstTextAt - settlement.startedAt
      : null;
    const { costMicroUsd } = settlement;

    sinks.metrics.recordRequest(
      {
        errorKind,
        latencyMs,
        timeToFirstTokenMs,
        cacheHit: settlement.cacheHit,
        inputTokens: outcome.usage.inputTokens,
        outputTokens: outcome.usage.outputTokens,
        costMicroUsd,
      },
      now,
    );
    this.#env.KILN_ANALYTICS?.writeDataPoint({
      indexes: [target.provider],
      blobs: [target.provider, target.model, outcome.status, errorKind ?? "", this.#chat.teamId],
      doubles: [
        latencyMs,
        timeToFirstTokenMs ?? -1,
        outcome.usage.inputTokens,
        outcome.usage.outputTokens,
        costMicroUsd,
      ],
    });

    sinks.platform.add({
      teamId: this.#chat.teamId,
      calls: outcome.attempts
        .filter((attempt) => !SKIP_OUTCOMES.includes(attempt.outcome))
        .map((attempt) => ({
          provider: attempt.provider,
          failed: !NOT_PROVIDER_FAULTS.has(attempt.outcome),
        })),
      errorKind,
      costMicroUsd,
    });
    this.#waitUntil(
      this.#afterSettle({
        settlement,
        errorKind,
        latencyMs,
        timeToFirstTokenMs,
        costMicroUsd,
        now,
      }),
    );
  }

  async #afterSettle(options: {
    settlement: ChatSettlement;
    errorKind: string | null;
    latencyMs: number;
    timeToFirstTokenMs: number | null;
    costMicroUsd: number;
    now: number;
  }) {
    const { settlement, errorKind } = options;
    const { outcome } = settlement;
    const target = providerOf(outcome);
    const userHash = await hashUser(this.#chat.userId, this.#env.KILN_LOG_HASH_SALT);

    this.log.info("chat.request", {
      userHash,
      route: "/api/chat",
      status: outcome.status,
      provider: target.provider,
      model: target.model,
      attempts: outcome.attempts.filter((attempt) => !SKIP_OUTCOMES.includes(attempt.outcome))
        .length,
      attemptPath: outcome.attempts
        .map((attempt) => `${attempt.provider}:${attempt.outcome}`)
        .join(","),
      fallbackUsed: outcome.fallbackUsed,
      cacheHit: settlement.cacheHit,
      inputTokens: outcome.usage.inputTokens,
      outputTokens: outcome.usage.outputTokens,
      costMicroUsd: options.costMicroUsd,
      latencyMs: options.latencyMs,
      timeToFirstTokenMs: options.timeToFirstTokenMs,
      outcome: errorKind ? "error" : outcome.status,
      errorKind,
      abortReason: outcome.abortReason,
      usageReported: outcome.usageReported,
    });

    const tasks: Promise<unknown>[] = [
      exportSpans({
        settings: otlpSettings(this.#env, "kiln-team-gateway"),
        version: this.#env.KILN_VERSION,
        spans: this.#spans(options, userHash),
      }),
    ];
    if (errorKind && CONFIGURATION_ERRORS.has(errorKind) && outcome.error) {
      tasks.push(this.reportError(outcome.error, { provider: target.provider }));
    }

    const results = await Promise.allSettled(tasks);
    for (const result of results) {
      if (result.status === "rejected") {
        this.log.warn("observe.report_failed", { error: String(result.reason) });
      }
    }
  }

  /** A Sentry report tagged with this turn's team, request and trace. */
  async reportError(error: unknown, extra?: Record<string, string>) {
    await createErrorReporter({
      env: this.#env,
      component: "team-gateway",
      waitUntil: this.#waitUntil,
      tags: {
        requestId: this.#chat.requestId,
        traceId: this.trace.traceId,
        teamId: this.#chat.teamId,
        route: "/api/chat",
      },
    })?.capture(error, extra);
  }

  #spans(
    options: { settlement: ChatSettlement; errorKind: string | null; now: number },
    userHash: string | undefined,
  ): Span[] {
    const { settlement, errorKind, now } = options;
    const target = providerOf(settlement.outcome);
    const failed = errorKind !== null;
    const teamSpan: Span = {
      name: "team_gateway.chat",
      kind: "internal",
      trace: this.trace,
      startMs: settlement.startedAt,
      endMs: now,
      failed,
      attributes: {
        "kiln.request_id": this.#chat.requestId,
        "kiln.team_id": this.#chat.teamId,
        "enduser.hash": userHash,
        "kiln.outcome": settlement.outcome.status,
        "kiln.cache_hit": settlement.cacheHit,
      },
    };
    // A cached answer made no provider call: its trace ends at the team object.
    if (settlement.cacheHit) return [teamSpan];
    return [
      teamSpan,
      {
        name: `${target.provider} chat`,
        kind: "client",
        trace: this.#provider,
        startMs: settlement.startedAt,
        endMs: now,
        failed,
        attributes: {
          "gen_ai.system": target.provider,
          "gen_ai.request.model": target.model,
          "gen_ai.usage.input_tokens": settlement.outcome.usage.inputTokens,
          "gen_ai.usage.output_tokens": settlement.outcome.usage.outputTokens,
          "kiln.error_kind": errorKind ?? undefined,
        },
      },
    ];
  }
}
