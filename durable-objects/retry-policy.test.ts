import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  MAX_RETRY_DELAY_MS,
  parseDuration,
  retryDelay,
  retryDelayFromHeaders,
} from "./retry-policy.ts";

const NOW = Date.parse("2026-12-03T12:00:00Z");

function delayFor(headers: Record<string, string>): number | undefined {
  return retryDelayFromHeaders(new Headers(headers), NOW);
}

describe("Retry-After in the wild (L2)", () => {
  it.each([
    ["fractional seconds", { "retry-after": "1.5" }, 1500],
    ["a negative number", { "retry-after": "-3" }, undefined],
    ["a past HTTP-date", { "retry-after": new Date(NOW - 60_000).toUTCString() }, 0],
    ["a date 5 s ahead", { "retry-after": new Date(NOW + 5_000).toUTCString() }, 5000],
    ["retry-after-ms over retry-after", { "retry-after-ms": "500", "retry-after": "7" }, 500],
    ["a word", { "retry-after": "soon" }, undefined],
    [
      "only an Anthropic reset timestamp 3 s ahead",
      { "anthropic-ratelimit-requests-reset": new Date(NOW + 3_000).toISOString() },
      3000,
    ],
    ["only an OpenAI reset duration", { "x-ratelimit-reset-requests": "2.5s" }, 2500],
    ["nothing", {}, undefined],
  ])("%s", (_, headers, expected) => {
    expect(delayFor(headers)).toBe(expected);
  });

  it("falls back to backoff when the header is ignored, and caps every wish", () => {
    const ignored = delayFor({ "retry-after": "-3" });
    expect(retryDelay({ attempt: 0, requestedMs: ignored, random: () => 0.5 })).toBe(125);
    expect(retryDelay({ attempt: 0, requestedMs: 1500 })).toBe(1500);
    // A wish beyond the cap means "try the next target", not a long hold.
    expect(retryDelay({ attempt: 0, requestedMs: MAX_RETRY_DELAY_MS + 1 })).toBeNull();
  });

  it("reads Go-style durations and refuses anything else", () => {
    expect(parseDuration("6m0s")).toBe(360_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1h2m")).toBe(3_720_000);
    expect(parseDuration("soon")).toBeUndefined();
    expect(parseDuration("-1s")).toBeUndefined();
  });
});

describe("backoff", () => {
  it("grows exponentially with full jitter and never exceeds the cap", () => {
    expect(backoffDelay(0, () => 0.999)).toBe(249);
    expect(backoffDelay(3, () => 0.999)).toBe(1998);
    expect(backoffDelay(30, () => 0.999)).toBeLessThan(MAX_RETRY_DELAY_MS);
    expect(backoffDelay(5, () => 0)).toBe(0);
  });
});
