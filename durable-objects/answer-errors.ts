/**
 * The HTTP answer for a chat turn that failed before any byte was sent: one
 * documented error body with a stable code, a hint and, when waiting helps,
 * a whole-second Retry-After.
 */
import { errorBody } from "../worker/errors.ts";
import type { FailedAnswer } from "./attempts.ts";

export type ErrorReply = { status: number; body: string; retryAfterSeconds: number | null };

export function failureReply(options: {
  failure: FailedAnswer;
  requestId: string;
  /** The W3C trace id, shown to the person so support can follow the request. */
  traceId?: string | undefined;
  /** When an open breaker next lets a trial through (epoch ms), if any. */
  reopensAt: number | null;
  now: number;
}): ErrorReply {
  const { failure, requestId, traceId } = options;
  const error = failure.error;
  // Kiln's own words: a provider's error text (its request ids, account
  // details, raw JSON) goes to the logs, not to the person.
  const reply = (
    status: number,
    code: string,
    message: string,
    hint: string,
    retryAfterSeconds: number | null = null,
  ) => ({
    status,
    retryAfterSeconds,
    body: JSON.stringify(errorBody({ code, message, hint, requestId, traceId })),
  });

  if (failure.allOpen) {
    const wait =
      options.reopensAt === null ? 5 : Math.ceil((options.reopensAt - options.now) / 1000);
    return reply(
      503,
      "provider_unavailable",
      "No model provider can answer right now.",
      "Every provider for this route is failing; Kiln stopped calling them for a moment. Try again after the Retry-After.",
      Math.max(1, wait),
    );
  }
  switch (error.kind) {
    case "aborted":
      return reply(
        499,
        "answer_stopped",
        "The answer was stopped.",
        "The answer was stopped before it started.",
      );
    case "context_length":
      return reply(
        413,
        "context_too_long",
        "The request is longer than the model can read.",
        "The conversation and attachments are too long for the model: start a new chat or attach less.",
      );
    case "content_filter":
      return reply(
        422,
        "content_filtered",
        "The model provider declined this request.",
        "Rephrase it.",
      );
    case "bad_request":
    case "auth":
      return reply(
        502,
        "provider_error",
        "The model provider refused the request.",
        "The model provider refused the request; an operator should check its configuration.",
      );
    default:
      return reply(
        503,
        "provider_unavailable",
        "The model providers are busy or unreachable.",
        "Try again in a moment.",
        Math.max(1, Math.ceil((error.retryAfterMs ?? 5_000) / 1000)),
      );
  }
}

export function replyResponse(
  reply: ErrorReply,
  extraHeaders: Record<string, string> = {},
): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...extraHeaders };
  if (reply.retryAfterSeconds !== null) headers["Retry-After"] = String(reply.retryAfterSeconds);
  return new Response(reply.body, { status: reply.status, headers });
}

/** A second turn sent with a key already used for another body. */
export function keyReused(requestId: string, traceId: string): Response {
  return Response.json(
    errorBody({
      code: "idempotency_key_reused",
      message: "This Idempotency-Key was already used for a different message.",
      hint: "Use a new Idempotency-Key for each new message.",
      requestId,
      traceId,
    }),
    { status: 422 },
  );
}

/** A duplicate whose claimer neither started nor gave up within the wait. */
export function keyInProgress(requestId: string, traceId: string): Response {
  return Response.json(
    errorBody({
      code: "idempotency_in_progress",
      message: "Another request with this Idempotency-Key has not started its answer.",
      hint: "Send the request again in a moment, or use a new Idempotency-Key.",
      requestId,
      traceId,
    }),
    { status: 409, headers: { "Retry-After": "1" } },
  );
}
