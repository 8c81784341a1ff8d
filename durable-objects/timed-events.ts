/**
 * A provider's event stream with the gateway's three timeouts, each its
 * own: connect (until the streaming 200), first token (until the first
 * text) and idle (the longest gap between events once text flows). A
 * timeout aborts the attempt's own controller, so the socket closes, and
 * surfaces as a retryable `timeout` ProviderError.
 *
 * One timer serves the whole stream. Each wait moves its deadline; the
 * timer, when it fires before the deadline, sets itself again for what is
 * left. A timer and a race per chunk were a tenth of a team object's time
 * at a few thousand chunks a second (figure 3's profile), for a deadline
 * that almost never arrives.
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
  /** The current wait: its deadline, and how to fail it. */
  let waiting: { deadlineAt: number; ms: number; fail(error: ProviderError): void } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires; it is set again only when a deadline comes before that. */
  let timerAt = Number.POSITIVE_INFINITY;

  const limit = () =>
    phase === "connect"
      ? options.timeouts.connectMs
      : phase === "first_token"
        ? options.timeouts.firstTokenMs
        : options.timeouts.idleMs;

  const setTimer = (ms: number) => {
    clearTimeout(timer);
    timerAt = Date.now() + ms;
    timer = setTimeout(fire, ms);
  };
  const stopTimer = () => {
    clearTimeout(timer);
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
  };
  function fire() {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    const wait = waiting;
    if (!wait) return;
    const leftMs = wait.deadlineAt - Date.now();
    if (leftMs > 0) {
      setTimer(leftMs);
      return;
    }
    waiting = undefined;
    options.abort.abort();
    wait.fail(
      new ProviderError({
        kind: "timeout",
        message: `${options.provider} took longer than ${wait.ms} ms ${PHASE_LABEL[phase]}.`,
      }),
    );
  }

  return {
    async next() {
      const ms = limit();
      const deadlineAt = Date.now() + ms;
      let result: IteratorResult<ProviderEvent>;
      try {
        result = await new Promise<IteratorResult<ProviderEvent>>((resolve, reject) => {
          waiting = { deadlineAt, ms, fail: reject };
          if (deadlineAt < timerAt) setTimer(ms);
          // After a timeout this settles too, into a promise already failed: nothing to catch.
          inner.next().then(resolve, reject);
        });
      } catch (error) {
        stopTimer();
        throw error;
      } finally {
        waiting = undefined;
      }
      if (result.done) stopTimer();
      else if (result.value.type === "open") phase = "first_token";
      else if (result.value.type === "text") phase = "idle";
      return result;
    },
    async return() {
      stopTimer();
      waiting = undefined;
      options.abort.abort();
      await inner.return?.().catch(() => undefined);
      return { done: true, value: undefined };
    },
  };
}
