import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { retryDelayFromHeaders } from "../retry-policy.ts";
import { ProviderError, type ProviderErrorKind } from "./types.ts";

type SdkErrorShape = {
  name?: string;
  status?: number;
  message?: string;
  headers?: unknown;
  error?: unknown;
};

/** HTTP statuses from either SDK, mapped to what the gateway can do about them. */
function kindForStatus(status: number, text: string): ProviderErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limited";
  if (status === 529) return "overloaded";
  if (status >= 500) return "unavailable";
  if (/context_length|context window|prompt is too long|maximum context/i.test(text)) {
    return "context_length";
  }
  return "bad_request";
}

/**
 * Turns whatever an SDK threw into a ProviderError. Both SDKs throw an
 * APIError subclass with `status` for HTTP failures, APIConnectionError
 * (no status) for network failures and APIUserAbortError on abort; an error
 * event inside a 200 stream arrives as an APIError without a status.
 */
export function classifyProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const aborted =
    error instanceof OpenAI.APIUserAbortError ||
    error instanceof Anthropic.APIUserAbortError ||
    shape.name === "AbortError";
  const unreachable =
    error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError;

  if (aborted) {
    return new ProviderError({
      kind: "aborted",
      message: "The request was stopped.",
      cause: error,
    });
  }
  if (typeof shape.status === "number") {
    const text = `${shape.message ?? ""} ${JSON.stringify(shape.error ?? "")}`;
    return new ProviderError({
      kind: kindForStatus(shape.status, text),
      status: shape.status,
      message: `${provider} answered ${shape.status}: ${shape.message ?? "error"}`,
      retryAfterMs: readRetryAfter(shape.headers),
      cause: error,
    });
  }
  if (unreachable) {
    return new ProviderError({
      kind: "network",
      message: `Could not reach ${provider}.`,
      cause: error,
    });
  }
  const text = shape.message ?? String(error);
  const kind: ProviderErrorKind = /overloaded/i.test(text) ? "overloaded" : "unavailable";
  return new ProviderError({ kind, message: `${provider} failed: ${text}`, cause: error });
}

function readRetryAfter(headers: unknown): number | undefined {
  if (headers instanceof Headers) return retryDelayFromHeaders(headers, Date.now());
  if (typeof headers === "object" && headers !== null) {
    return retryDelayFromHeaders(new Headers(headers as Record<string, string>), Date.now());
  }
  return undefined;
}
