import { describe, expect, it } from "vitest";
import { dayOf, fixedWindow, monthOf, nextDayStartMs, nextMonthStartMs } from "./periods.ts";

describe("budget periods in UTC", () => {
  it("names the day and month of a clock reading at every edge, in any order asked", () => {
    const lastMs = Date.UTC(2026, 11, 31, 23, 59, 59, 999);
    const cases: [number, string, string][] = [
      [lastMs, "2026-12-31", "2026-12"],
      [lastMs + 1, "2027-01-01", "2027-01"],
      [lastMs, "2026-12-31", "2026-12"],
      [Date.UTC(2028, 1, 29, 12), "2028-02-29", "2028-02"],
      [Date.UTC(2026, 2, 1), "2026-03-01", "2026-03"],
      [Date.UTC(2026, 1, 28, 23, 59, 59, 999), "2026-02-28", "2026-02"],
    ];
    for (const [nowMs, day, month] of cases) {
      expect([dayOf(nowMs), monthOf(nowMs)]).toEqual([day, month]);
      expect(day).toBe(new Date(nowMs).toISOString().slice(0, 10));
    }
  });

  it("starts the next day and month, and fixed windows, on their boundaries", () => {
    const nowMs = Date.UTC(2026, 11, 31, 23, 0);
    expect(nextDayStartMs(nowMs)).toBe(Date.UTC(2027, 0, 1));
    expect(nextMonthStartMs(nowMs)).toBe(Date.UTC(2027, 0, 1));
    expect(fixedWindow(125_000, 60_000)).toEqual({ startMs: 120_000, resetAtMs: 180_000 });
  });
});
