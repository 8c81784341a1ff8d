import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ProviderEvent } from "./providers/types.ts";
import { withTimeouts } from "./timed-events.ts";

/** A provider stream that yields what the test pushes, when it pushes it. */
function scriptedStream() {
  const queued: ProviderEvent[] = [];
  let wake: (() => void) | undefined;
  async function* events(): AsyncGenerator<ProviderEvent> {
    for (;;) {
      while (queued.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const event = queued.shift() as ProviderEvent;
      if (event.type === "finish") return;
      yield event;
    }
  }
  return {
    events: events(),
    push(event: ProviderEvent) {
      queued.push(event);
      wake?.();
    },
  };
}

const TIMEOUTS = { connectMs: 10_000, firstTokenMs: 5_000, idleMs: 1_000 };

function timed() {
  const stream = scriptedStream();
  const abort = new AbortController();
  const events = withTimeouts({ events: stream.events, timeouts: TIMEOUTS, provider: "p", abort });
  return { stream, abort, events };
}

describe("a provider stream's timeouts, on one timer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("lets events through that come within each phase's limit, however many", async () => {
    const { stream, abort, events } = timed();
    const next = events.next();
    await vi.advanceTimersByTimeAsync(9_000);
    stream.push({ type: "open" });
    expect(await next).toEqual({ done: false, value: { type: "open" } });
    for (let index = 0; index < 50; index += 1) {
      const text = events.next();
      await vi.advanceTimersByTimeAsync(900);
      stream.push({ type: "text", text: `${index}` });
      expect((await text).value).toEqual({ type: "text", text: `${index}` });
    }
    expect(abort.signal.aborted).toBe(false);
  });

  it("times out a gap shorter than the timer already set (idle after connect), and aborts", async () => {
    const { stream, abort, events } = timed();
    const opened = events.next();
    stream.push({ type: "open" });
    await opened;
    const first = events.next();
    stream.push({ type: "text", text: "a" });
    await first;

    // The timer was set for the 10 s connect limit; the idle limit is 1 s.
    const stalled = events.next();
    const outcome = stalled.then(
      () => "answered",
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(1_001);
    expect(await outcome).toBe("p took longer than 1000 ms between two chunks.");
    expect(abort.signal.aborted).toBe(true);
  });

  it("times out the first token by its own limit, counted from the open", async () => {
    const { stream, events } = timed();
    const opened = events.next();
    await vi.advanceTimersByTimeAsync(8_000);
    stream.push({ type: "open" });
    await opened;
    const first = events.next().then(
      () => "answered",
      (error: Error) => error.message,
    );
    // 8 s + 4.9 s is past the connect limit's original deadline, but within the first token's.
    await vi.advanceTimersByTimeAsync(4_900);
    stream.push({ type: "text", text: "late but in time" });
    expect(await first).toBe("answered");
    const second = events.next().then(
      () => "answered",
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await second).toBe("p took longer than 1000 ms between two chunks.");
  });

  it("leaves no timer behind once the stream ends", async () => {
    const { stream, events } = timed();
    const opened = events.next();
    stream.push({ type: "open" });
    await opened;
    const end = events.next();
    stream.push({ type: "finish", reason: "stop" });
    expect((await end).done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
