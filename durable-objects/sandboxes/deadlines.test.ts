import { describe, expect, it } from "vitest";
import {
  commandTimeoutMs,
  END_OF_LIFE_MARGIN_MS,
  extendedExpiryMs,
  pollDelayMs,
} from "./deadlines.ts";

describe("commandTimeoutMs (case X1)", () => {
  const nowMs = 1_000_000;
  it.each([
    // A 75 s install in a 300 s sandbox gets its step's full bound, not the SDK's 60 s.
    { stepTimeoutMs: 180_000, lifeMs: 300_000, expected: 180_000 },
    // A step bound longer than the remaining life is cut to the life, less the margin.
    { stepTimeoutMs: 180_000, lifeMs: 30_000, expected: 30_000 - END_OF_LIFE_MARGIN_MS },
    // A never-ending command with a 5 s bound stops at 5 s.
    { stepTimeoutMs: 5_000, lifeMs: 300_000, expected: 5_000 },
    // No life left: zero, which the runner treats as "sandbox gone" without running.
    { stepTimeoutMs: 5_000, lifeMs: 1_000, expected: 0 },
  ])("step $stepTimeoutMs ms with $lifeMs ms of life → $expected ms", (row) => {
    expect(
      commandTimeoutMs({
        stepTimeoutMs: row.stepTimeoutMs,
        expiresAtMs: nowMs + row.lifeMs,
        nowMs,
      }),
    ).toBe(row.expected);
  });
});

describe("extendedExpiryMs", () => {
  it("adds a full TTL from now, capped at the plan's maximum lifetime", () => {
    expect(extendedExpiryMs({ nowMs: 0, ttlSeconds: 600, maxExpiresAtMs: 3_600_000 })).toBe(
      600_000,
    );
    expect(extendedExpiryMs({ nowMs: 3_300_000, ttlSeconds: 600, maxExpiresAtMs: 3_600_000 })).toBe(
      3_600_000,
    );
  });
});

describe("pollDelayMs", () => {
  it("backs off from 250 ms to at most 2 s", () => {
    expect([0, 1, 2, 3, 4, 10].map(pollDelayMs)).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });
});
