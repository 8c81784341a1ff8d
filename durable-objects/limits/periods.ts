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

export function dayOf(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

export function monthOf(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 7);
}

export function nextDayStartMs(nowMs: number): number {
  const date = new Date(nowMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

export function nextMonthStartMs(nowMs: number): number {
  const date = new Date(nowMs);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
