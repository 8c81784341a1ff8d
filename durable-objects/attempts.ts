/**
 * Finds a target that answers: walks the routing chain in order, skips
 * targets whose provider's breaker is open, retries a target on retryable
 * failures (with the retry policy's wait), and falls back to the next one.
 * All of it happens before the first byte reaches the client: a target has
 * "answered" once its first piece of text (or its clean end) arrived.
 */
import type { RoutingTarget } from "../contract/routing.ts";
import type { Breakers } from "./breakers.ts";
import { classifyProviderError } from "./providers/classify.ts";
import {
  type ChatProvider,
  ProviderError,
  type ProviderEvent,
  type ProviderRequest,
} from "./providers/types.ts";
import { retryDelay } from "./retry-policy.ts";
import { withTimeouts } from "./timed-events.ts";

/** Attempt outcomes that made no call. */
export const SKIP_OUTCOMES: readonly string[] = ["disabled", "not_configured", "breaker_open"];

export type AttemptRecord = {
  provider: string;
  model: string;
  /** ok, disabled, not_configured, breaker_open, or the failure kind. */
  outcome: string;
};

export type OpenedAnswer = {
  kind: "opened";
  target: RoutingTarget;
  provider: ChatProvider;
  /** Events read before the first text (usage, finish), then the first text if any. */
  head: ProviderEvent[];
  rest: AsyncIterator<ProviderEvent>;
  attempts: AttemptRecord[];
  fallbackUsed: boolean;
  /** The half-open trial this answer holds (Breakers.admit), for the settle step. */
  breakerTrial: number | null;
};

export type FailedAnswer = {
  kind: "failed";
  error: ProviderError;
  /** Every target was skipped because its breaker is open. */
  allOpen: boolean;
  attempts: AttemptRecord[];
};

export type AttemptOptions = {
  chain: RoutingTarget[];
  breakers: Breakers;
  /** Switched off by an operator: skipped, and a later target serving counts as a fallback. */
  isDisabled: (target: RoutingTarget) => boolean;
  /** Null when the target's provider has no key or URL in this environment. */
  providerFor: (target: RoutingTarget) => ChatProvider | null;
  request: Omit<ProviderRequest, "signal" | "model">;
  signal: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export async function openAnswer(options: AttemptOptions): Promise<OpenedAnswer | FailedAnswer> {
  const attempts: AttemptRecord[] = [];
  const sleep = options.sleep ?? abortableSleep;
  let lastError: ProviderError | null = null;
  let breakerSkips = 0;

  for (const [index, target] of options.chain.entries()) {
    const skip = (outcome: string) =>
      attempts.push({ provider: target.provider, model: target.model, outcome });
    if (options.isDisabled(target)) {
      skip("disabled");
      continue;
    }
    const provider = options.providerFor(target);
    if (!provider) {
      skip("not_configured");
      continue;
    }
    let admission = options.breakers.admit(target.provider);
    if (!admission.allowed) {
      skip("breaker_open");
      breakerSkips += 1;
      continue;
    }

    for (let retry = 0; retry <= target.retries; retry += 1) {
      const attempt = await tryTarget({ target, provider, options });
      if (attempt.kind === "opened") {
        attempts.push({ provider: target.provider, model: target.model, outcome: "ok" });
        return { ...attempt, attempts, fallbackUsed: index > 0, breakerTrial: admission.trial };
      }

      const error = attempt.error;
      attempts.push({ provider: target.provider, model: target.model, outcome: error.kind });
      if (error.countsAsProviderFault) {
        options.breakers.record(target.provider, false);
      } else if (admission.trial !== null) {
        // Stopped, or refused as invalid: nothing learnt, so the next call is the trial.
        options.breakers.release(target.provider, admission.trial);
      }
      lastError = error;

      if (options.signal.aborted || error.kind === "aborted") {
        return { kind: "failed", error, allOpen: false, attempts };
      }
      // A refusal or a bad request would fail the same way anywhere.
      if (!error.retryable && error.kind !== "auth") {
        return { kind: "failed", error, allOpen: false, attempts };
      }
      if (!error.retryable || retry === target.retries) break;

      const wait = retryDelay({ attempt: retry, requestedMs: error.retryAfterMs });
      if (wait === null) break;
      await sleep(wait, options.signal);
      admission = options.breakers.admit(target.provider);
      if (!admission.allowed) break;
    }
  }

  const allOpen = lastError === null && breakerSkips > 0;
  return {
    kind: "failed",
    allOpen,
    attempts,
    error:
      lastError ??
      new ProviderError({
        kind: "unavailable",
        message: allOpen
          ? "Every provider on this route is failing right now (circuit open)."
          : "No provider is enabled and configured for this route.",
      }),
  };
}

async function tryTarget(context: {
  target: RoutingTarget;
  provider: ChatProvider;
  options: AttemptOptions;
}): Promise<
  | Omit<OpenedAnswer, "attempts" | "fallbackUsed" | "breakerTrial">
  | { kind: "error"; error: ProviderError }
> {
  const { target, provider, options } = context;

  // The attempt's own controller: a timeout aborts this call only, Stop aborts all.
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal.addEventListener("abort", onAbort, { once: true });

  const events = withTimeouts({
    events: provider.stream({ ...options.request, model: target.model, signal: abort.signal }),
    timeouts: target.timeouts,
    provider: target.provider,
    abort,
  });

  const head: ProviderEvent[] = [];
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) break;
      if (next.value.type === "open") continue;
      head.push(next.value);
      if (next.value.type === "text") break;
    }
    return { kind: "opened", target, provider, head, rest: events };
  } catch (error) {
    options.signal.removeEventListener("abort", onAbort);
    await events.return?.();
    return { kind: "error", error: classifyProviderError(target.provider, error) };
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
