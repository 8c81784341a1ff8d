import { endSession, getSessionState, SESSION_ENDED_NOTICE } from "../auth/session-store.ts";
import {
  type ApiError,
  type ApiResult,
  isAbortError,
  networkError,
  readErrorResponse,
} from "./errors.ts";
import { createTraceparent, traceIdOf } from "./ids.ts";

export type ApiRequestOptions = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

/**
 * Sends a request to the same-origin API with the session's bearer token and
 * active team. Resolves to the response, or to an ApiError for anything that
 * is not a 2xx (a 401 also ends the session).
 */
export async function apiFetch(
  path: string,
  options: ApiRequestOptions = {},
): Promise<ApiResult<Response>> {
  const headers = buildHeaders(options);
  const traceId = traceIdOf(headers.get("traceparent"));
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    return { ok: false, error: { ...networkError(), traceId } };
  }

  if (response.ok) return { ok: true, data: response };

  const error = await readErrorResponse(response);
  error.traceId ??= traceId;
  if (response.status === 401 && getSessionState().session) endSession(SESSION_ENDED_NOTICE);
  return { ok: false, error };
}

/** Like apiFetch, reading the JSON body typed by the API contract. */
export async function apiRequest<T>(
  path: string,
  options: ApiRequestOptions = {},
): Promise<ApiResult<T>> {
  const result = await apiFetch(path, options);
  if (!result.ok) return result;

  try {
    // The shape is the API contract's; the Worker validates what it sends.
    return { ok: true, data: (await result.data.json()) as T };
  } catch (error) {
    if (isAbortError(error)) throw error;
    return { ok: false, error: unreadableBody(result.data) };
  }
}

function buildHeaders(options: ApiRequestOptions): Headers {
  const headers = new Headers(options.headers);
  const { session } = getSessionState();

  if (options.body !== undefined) headers.set("Content-Type", "application/json");
  if (session) headers.set("Authorization", `Bearer ${session.accessToken}`);
  if (session?.teamId) headers.set("X-Team-Id", session.teamId);
  // Every call starts a trace the Worker continues, so any error names its trace.
  if (!headers.has("traceparent")) headers.set("traceparent", createTraceparent());
  return headers;
}

function unreadableBody(response: Response): ApiError {
  return {
    code: "unexpected_response",
    message: "The server's answer could not be read.",
    requestId: response.headers.get("x-request-id") ?? undefined,
    status: response.status,
  };
}
