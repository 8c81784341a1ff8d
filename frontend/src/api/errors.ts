import { errorBodySchema } from "../../../contract/api.ts";
import type { LimitDetails } from "../../../contract/limits.ts";

/**
 * An API failure as the UI shows it: the server's error body when there is
 * one, or a description of what went wrong on the way (network, bad reply).
 */
export type ApiError = {
  code: string;
  message: string;
  hint?: string;
  requestId?: string;
  /** The W3C trace id of the request: what support needs to follow it through every hop. */
  traceId?: string;
  status?: number;
  /** On limit errors (429): which limit, what is left, when it resets. */
  limit?: LimitDetails;
};

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export function networkError(): ApiError {
  return {
    code: "network_error",
    message: "Could not reach the Kiln server.",
    hint: "Check your connection; the server may also be restarting. Try again in a moment.",
  };
}

export async function readErrorResponse(response: Response): Promise<ApiError> {
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const body: unknown = await response.json().catch(() => null);
  const parsed = errorBodySchema.safeParse(body);

  if (parsed.success) return { ...parsed.data.error, status: response.status };

  return {
    code: "unexpected_response",
    message: `The server answered ${response.status} ${response.statusText}`.trim(),
    hint: "This is likely a bug or a proxy in the way. Share the request id if there is one.",
    requestId,
    status: response.status,
  };
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}
