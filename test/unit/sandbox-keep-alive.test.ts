/** The preview's keep-alive follows the sandbox's expiry (frontend/src/preview/sandbox/keep-alive.ts). */
import { describe, expect, it } from "vitest";
import { keepAliveDelayMs } from "../../frontend/src/preview/sandbox/keep-alive.ts";

const NOW_MS = Date.parse("2026-12-04T12:00:00Z");

describe("keepAliveDelayMs", () => {
  it.each([
    // [seconds left, delay in ms]
    [5, 2_000], // the shortest operator TTL: floored, still twice before it ends
    [9, 3_000],
    [30, 10_000],
    [180, 60_000], // capped at a minute
    [1_800, 60_000],
    [1, 2_000], // nearly over
    [-10, 2_000], // already past: the expiry check answers, not a tight loop
  ])("with %i s left asks again after %i ms", (secondsLeft, delayMs) => {
    expect(keepAliveDelayMs({ expiresAtMs: NOW_MS + secondsLeft * 1000, nowMs: NOW_MS })).toBe(
      delayMs,
    );
  });

  it("keeps a sandbox under the shortest TTL alive: each ask comes before it expires", () => {
    const ttlMs = 5_000;
    let nowMs = NOW_MS;
    let expiresAtMs = nowMs + ttlMs;
    for (let ask = 0; ask < 20; ask++) {
      nowMs += keepAliveDelayMs({ expiresAtMs, nowMs });
      expect(nowMs).toBeLessThan(expiresAtMs);
      expiresAtMs = nowMs + ttlMs; // the server extends by the TTL from now
    }
  });

  it("asks soon when the expiry cannot be read", () => {
    expect(keepAliveDelayMs({ expiresAtMs: Number.NaN, nowMs: NOW_MS })).toBe(2_000);
  });
});
