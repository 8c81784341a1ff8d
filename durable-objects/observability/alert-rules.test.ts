import { describe, expect, it } from "vitest";
import {
  ALERT_DEDUPE_WINDOW_MS,
  dedupeKey,
  isSpike,
  shouldSend,
  slackBody,
} from "./alert-rules.ts";

describe("alert rules", () => {
  it.each([
    [{ attempts: 0, failures: 0 }, false],
    [{ attempts: 2, failures: 2 }, false],
    [{ attempts: 3, failures: 3 }, true],
    [{ attempts: 6, failures: 3 }, true],
    [{ attempts: 7, failures: 3 }, false],
    [{ attempts: 100, failures: 49 }, false],
  ])("spike for %o: %s", (counts, spike) => {
    expect(isSpike(counts)).toBe(spike);
  });

  it("sends a key once per window, on a fixed clock", () => {
    const firstAt = Date.UTC(2026, 11, 3, 21, 0, 0);
    expect(shouldSend(null, firstAt)).toBe(true);
    expect(shouldSend(firstAt, firstAt + 1)).toBe(false);
    expect(shouldSend(firstAt, firstAt + ALERT_DEDUPE_WINDOW_MS - 1)).toBe(false);
    expect(shouldSend(firstAt, firstAt + ALERT_DEDUPE_WINDOW_MS)).toBe(true);
  });

  it("keys by kind and subject, with one key per provider incident", () => {
    expect(dedupeKey({ kind: "breaker_open", subject: "openai" })).toBe("provider:openai");
    expect(dedupeKey({ kind: "provider_error_spike", subject: "openai" })).toBe("provider:openai");
    expect(dedupeKey({ kind: "budget_overrun", subject: "t1/daily" })).toBe(
      "budget_overrun:t1/daily",
    );
  });

  it("writes a Slack body with the runbook link", () => {
    const body = slackBody(
      {
        kind: "provider_error_spike",
        subject: "openai",
        summary: "4 of 4 calls failed in 5 minutes.",
        details: [["Teams", "t1 (4)"]],
      },
      { environment: "production", runbookUrl: "https://kiln.example/runbook" },
    );
    expect(body.text).toContain("*[production] Provider error spike: openai*");
    expect(body.text).toContain("• *Teams:* t1 (4)");
    expect(body.text).toContain("<https://kiln.example/runbook#provider-error-spike|");
    expect(body.blocks[0]?.text.text).toBe(body.text);
  });
});
