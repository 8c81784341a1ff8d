import { describe, expect, it } from "vitest";
import { formatMicroUsd, type LimitDetails, retryAfterSeconds } from "../../contract/limits.ts";
import { costMicroUsd, DEFAULT_PRICE_TABLE, priceFor } from "../../contract/prices.ts";
import { historyTurnsToDrop, planAttachments } from "../../contract/prompt-budget.ts";
import {
  fixedWindow,
  nextDayStartMs,
  nextMonthStartMs,
} from "../../durable-objects/limits/periods.ts";
import {
  effectiveLimits,
  overridesAboveCeiling,
  PLANS,
} from "../../durable-objects/limits/plans.ts";
import { describeLimit, limitResponse } from "./explain.ts";
import { usageCsv } from "./usage-csv.ts";

const NOW = Date.UTC(2026, 11, 3, 21, 0, 0);

describe("retryAfterSeconds (L2: the gateway's own 429s)", () => {
  it.each([
    ["reset 9 s ahead", NOW + 9_000, 9],
    ["reset 8.001 s ahead rounds up", NOW + 8_001, 9],
    ["reset 1 ms ahead", NOW + 1, 1],
    ["reset now", NOW, 1],
    ["reset in the past", NOW - 5_000, 1],
  ])("%s → %i", (_, resetAtMs, expected) => {
    expect(retryAfterSeconds(resetAtMs, NOW)).toBe(expected);
  });

  it("puts the same whole number in the header and the body", async () => {
    const limit: LimitDetails = {
      scope: "team",
      name: "requests_per_minute",
      limit: 20,
      remaining: 0,
      unit: "requests",
      windowSeconds: 60,
      resetAt: new Date(NOW + 42_000).toISOString(),
      retryAfterSeconds: retryAfterSeconds(NOW + 42_000, NOW),
    };
    const response = limitResponse(limit, "req-1");
    const body = (await response.json()) as { error: { code: string; limit: LimitDetails } };
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.limit.retryAfterSeconds).toBe(42);
  });
});

describe("describeLimit", () => {
  it("names the limit, the figures, what is left and when it resets", () => {
    const { message, hint } = describeLimit({
      scope: "team",
      name: "tokens_per_day",
      limit: 200_000,
      remaining: 1_500,
      unit: "tokens",
      resetAt: "2026-12-04T00:00:00.000Z",
      retryAfterSeconds: 10_800,
    });
    expect(message).toBe(
      "Your team has used 198,500 of 200,000 tokens today; 1,500 left. It resets at 00:00:00 UTC, in 3 h.",
    );
    expect(hint).toContain("ask a team admin to raise the budget");
  });

  it("says what was really spent when a budget was lowered below the month's spend", () => {
    const { message } = describeLimit({
      scope: "team",
      name: "dollars_per_month",
      limit: 1_000,
      remaining: 0,
      used: 34_000,
      unit: "micro_usd",
      resetAt: "2027-01-01T00:00:00.000Z",
      retryAfterSeconds: 86_400,
    });
    expect(message).toContain("Your team has used $0.03 of $0.001 this month's budget");
  });

  it.each([
    [0, "$0.00"],
    [1, "$0.000001"],
    [4_200, "$0.0042"],
    [1_500_000, "$1.50"],
  ])("formats %i micro-dollars as %s", (micro, text) => {
    expect(formatMicroUsd(micro)).toBe(text);
  });
});

describe("plans", () => {
  it("applies overrides within the ceiling and reports those above it", () => {
    expect(effectiveLimits("free", { tokensPerDay: 300_000 }).tokensPerDay).toBe(300_000);
    expect(effectiveLimits("free", { tokensPerDay: 9_000_000 }).tokensPerDay).toBe(
      PLANS.free.ceiling.tokensPerDay,
    );
    expect(
      overridesAboveCeiling("free", { tokensPerDay: 9_000_000, requestsPerMinute: 5 }),
    ).toEqual(["tokensPerDay"]);
  });
});

describe("cost in integer micro-dollars", () => {
  it("rounds each part up and never loses a fraction", () => {
    const price = priceFor(DEFAULT_PRICE_TABLE, "gpt-4.1-mini");
    const cost = costMicroUsd(price, {
      inputTokens: 1,
      outputTokens: 1_000,
      cacheReadTokens: 3,
      cacheWriteTokens: 0,
    });
    expect(cost).toBe(1 + 1_600 + 1);
    expect(Number.isInteger(cost)).toBe(true);
  });

  it("prices an unknown model at the table's default", () => {
    expect(priceFor(DEFAULT_PRICE_TABLE, "who-knows")).toBe(DEFAULT_PRICE_TABLE.default);
  });
});

describe("periods", () => {
  it("puts window edges on multiples of the window, 1 ms either side", () => {
    expect(fixedWindow(9_999, 10_000)).toEqual({ startMs: 0, resetAtMs: 10_000 });
    expect(fixedWindow(10_000, 10_000)).toEqual({ startMs: 10_000, resetAtMs: 20_000 });
    expect(nextDayStartMs(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe(Date.UTC(2027, 0, 1));
    expect(nextMonthStartMs(Date.UTC(2026, 11, 31, 12))).toBe(Date.UTC(2027, 0, 1));
  });
});

describe("prompt budget planning", () => {
  it("cuts the attachment that crosses the budget and drops the rest", () => {
    const plan = planAttachments(
      [
        { path: "a", chars: 60 },
        { path: "b", chars: 60 },
        { path: "c", chars: 10 },
      ],
      100,
    );
    expect(plan).toEqual({ keptChars: [60, 40, 0], truncated: ["b"], dropped: ["c"] });
  });

  it("drops the oldest turns first", () => {
    expect(historyTurnsToDrop([50, 50, 30, 20], 60)).toBe(2);
    expect(historyTurnsToDrop([10, 10], 60)).toBe(0);
  });
});

describe("usageCsv", () => {
  it("quotes fields and defuses spreadsheet formulas", () => {
    const csv = usageCsv(
      [
        {
          day: "2026-12-03",
          model: "=HYPERLINK(1)",
          userId: "u1",
          inputTokens: 1,
          outputTokens: 2,
          costMicroUsd: 1_500,
          requests: 1,
          cacheHits: 0,
          errors: 0,
          sandboxSeconds: 0,
        },
      ],
      { u1: 'a,"b"@example.com' },
    );
    expect(csv.split("\r\n")[1]).toBe(
      `2026-12-03,'=HYPERLINK(1),u1,"a,""b""@example.com",1,2,0.001500,1,0,0,0`,
    );
  });
});
