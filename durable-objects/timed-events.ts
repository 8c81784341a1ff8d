/**
 * A provider's event stream with the gateway's three timeouts, each its
 * own: connect (until the streaming 200), first token (until the first
 * text) and idle (the longest gap between events once text flows). A
 * timeout aborts the attempt's own controller, so the socket closes, and
 * surfaces as a retryable `timeout` ProviderError.
 */
import type { Timeouts } from "../contract/routing.ts";
import { ProviderError, type ProviderEvent } from "./providers/types.ts";

type Phase = "connect" | "first_token" | "idle";

const PHASE_LABEL: Record<Phase, string> = {
  connect: "to answer",
  first_token: "to send its first token",
  idle: "between two chunks",
};

export function withTimeouts(options: {
  events: AsyncIterable<ProviderEvent>;
  timeouts: Timeouts;
  provider: string;
  abort: AbortController;
}): AsyncIterator<ProviderEvent> {
  const inner = options.events[Symbol.asyncIterator]();
  let phase: Phase = "connect";

  const limit = () =>
    phase === "connect"
      ? options.timeouts.connectMs
      : phase === "first_token"
        ? options.timeouts.firstTokenMs
        : options.timeouts.idleMs;

  return {
    async next() {
      const ms = limit();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          options.abort.abort();
          reject(
            new ProviderError({
              kind: "timeout",
              message: `${options.provider} took longer than ${ms} ms ${PHASE_LABEL[phase]}.`,
            }),
          );
        }, ms);
      });
      const pending = inner.next();
      // The losing side of the race must not become an unhandled rejection.
      pending.catch(() => {});

      try {
        const result = await Promise.race([pending, timedOut]);
        if (!result.done) {
          if (result.value.type === "open") phase = "first_token";
          else if (result.value.type === "text") phase = "idle";
        }
        return result;
      } finally {
        clearTimeout(timer);
      }
    },
    async return() {
      options.abort.abort();
      await inner.return?.().catch(() => undefined);
      return { done: true, value: undefined };
    },
  };
}
