/**
 * The API's one error type. Deep code throws an ApiError (or lets another
 * error escape); the error handler middleware is the only place that turns it
 * into the documented JSON body `{ error: { code, message, hint, requestId, traceId } }`.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { LimitDetails } from "../contract/limits.ts";

export type ApiErrorCode =
  | "invalid_json"
  | "unsupported_media_type"
  | "provider_not_configured"
  | "invalid_body"
  | "payload_too_large"
  | "rate_limited"
  | "quota_exceeded"
  | "budget_exceeded"
  | "prompt_too_large"
  | "limit_above_plan"
  | "unauthorized"
  | "forbidden"
  | "not_admitted"
  | "waitlisted"
  | "not_found"
  | "method_not_allowed"
  | "conversation_not_found"
  | "conversation_pending"
  | "context_not_found"
  | "provider_error"
  | "provider_unavailable"
  | "unknown_model"
  | "invalid_idempotency_key"
  | "idempotency_key_reused"
  | "version_conflict"
  | "database_unavailable"
  | "auth_unavailable"
  | "history_unavailable"
  | "invalid_team_id"
  | "team_not_found"
  | "invitation_not_found"
  | "last_owner"
  | "already_a_member"
  | "sandbox_not_found"
  | "sandbox_expired"
  | "sandbox_not_running"
  | "sandbox_limit_reached"
  | "internal_error";

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ApiErrorCode;
  readonly hint: string | undefined;
  /** Set on limit errors: the answer also carries `Retry-After: limit.retryAfterSeconds`. */
  readonly limit: LimitDetails | undefined;

  constructor(options: {
    status: ContentfulStatusCode;
    code: ApiErrorCode;
    message: string;
    hint?: string;
    cause?: unknown;
    limit?: LimitDetails;
  }) {
    super(options.message, { cause: options.cause });
    this.name = "ApiError";
    this.status = options.status;
    this.code = options.code;
    this.hint = options.hint;
    this.limit = options.limit;
  }
}

export function errorBody(options: {
  code: string;
  message: string;
  hint?: string | undefined;
  requestId: string;
  limit?: LimitDetails | undefined;
  /** The W3C trace id, so a person reporting the error gives support the whole trace. */
  traceId?: string | undefined;
}) {
  const { code, message, hint, requestId, limit, traceId } = options;
  return {
    error: {
      code,
      message,
      ...(hint ? { hint } : {}),
      requestId,
      ...(traceId ? { traceId } : {}),
      ...(limit ? { limit } : {}),
    },
  };
}
