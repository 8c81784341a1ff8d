/**
 * The one event stream every provider adapter produces, whatever its wire
 * protocol: text as it arrives, usage when known, and how it finished.
 */
import type { Usage } from "../../contract/api.ts";

export type ProviderEvent =
  | { type: "text"; text: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: string };

export type ChatMessage = { role: "user" | "assistant"; content: string };

export type ProviderRequest = {
  model: string;
  system: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
  signal: AbortSignal;
  /** Per-call headers: the W3C `traceparent` of the provider-call span. */
  headers?: Record<string, string>;
};

export type ChatProvider = {
  /** Shown to people and recorded with the answer: openai, anthropic, simulator... */
  readonly name: string;
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
};

export type ProviderErrorKind =
  | "auth"
  | "rate_limited"
  | "overloaded"
  | "unavailable"
  | "bad_request"
  | "aborted"
  | "network";

/**
 * A provider failure in terms the gateway acts on. `retryable` says whether
 * trying again (or another target) may succeed; the retry and fallback
 * policy of a later change reads it.
 */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(options: {
    kind: ProviderErrorKind;
    message: string;
    status?: number;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.name = "ProviderError";
    this.kind = options.kind;
    this.status = options.status;
    this.retryable = ["rate_limited", "overloaded", "unavailable", "network"].includes(
      options.kind,
    );
  }
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}
