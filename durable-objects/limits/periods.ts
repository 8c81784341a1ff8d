/**
 * Budget periods in UTC: a fixed request window, the day for tokens, the
 * calendar month for dollars. Pure functions of a clock reading, so tests
 * can step a fake clock across every boundary.
 */

/** The fixed window `nowMs` falls in: it starts at a multiple of `windowMs`. */
export function fixedWindow(
  nowMs: number,
  windowMs: number,
): { startMs: number; resetAtMs: number } {
  const startMs = Math.floor(nowMs / windowMs) * windowMs;
  return { startMs, resetAtMs: startMs + windowMs };
}

const DAY_MS = 86_400_000;
/** The last day asked about: every quota decision asks, and nearly always about today. */
let lastDay = { number: Number.NaN, day: "", month: "" };

function dayParts(nowMs: number) {
  const number = Math.floor(nowMs / DAY_MS);
  if (number !== lastDay.number) {
    const iso = new Date(number * DAY_MS).toISOString();
    lastDay = { number, day: iso.slice(0, 10), month: iso.slice(0, 7) };
  }
  return lastDay;
}

export function dayOf(nowMs: number): string {
  return dayParts(nowMs).day;
}

export function monthOf(nowMs: number): string {
  return dayParts(nowMs).month;
}

export function nextDayStartMs(nowMs: number): number {
  const date = new Date(nowMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

export function nextMonthStartMs(nowMs: number): number {
  const date = new Date(nowMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
