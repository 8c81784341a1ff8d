/**
 * The one event stream every provider adapter produces, whatever its wire
 * protocol: `open` once the provider answered with a streaming 200, text as
 * it arrives, usage when known, and how it finished.
 */
import type { Usage } from "../../contract/api.ts";

export type ProviderEvent =
  | { type: "open" }
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
  | "context_length"
  | "content_filter"
  | "aborted"
  | "network"
  | "timeout"
  | "truncated";

const RETRYABLE: readonly ProviderErrorKind[] = [
  "rate_limited",
  "overloaded",
  "unavailable",
  "network",
  "timeout",
  "truncated",
];

/** Kinds that say the provider is unhealthy; the circuit breaker counts them. */
const PROVIDER_FAULTS: readonly ProviderErrorKind[] = [...RETRYABLE, "auth"];

/**
 * A provider failure in terms the gateway acts on. `retryable` says whether
 * trying again (or another target) may succeed; `retryAfterMs` is the
 * provider's own sane wish (Retry-After and friends), when it gave one.
 */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(options: {
    kind: ProviderErrorKind;
    message: string;
    status?: number | undefined;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.name = "ProviderError";
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = RETRYABLE.includes(options.kind);
  }

  /** Whether this failure counts against the provider's circuit breaker. */
  get countsAsProviderFault(): boolean {
    return PROVIDER_FAULTS.includes(this.kind);
  }
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}
