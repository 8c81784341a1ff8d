/**
 * When an open preview next asks for more time. An operator may set the
 * sandbox TTL as low as 5 s, so a fixed minute would let a watched sandbox
 * die between two keep-alives: ask after a third of the time left (two more
 * chances before it ends), never faster than the floor (a sandbox at its
 * end of life is not hammered) nor slower than a minute.
 */
export const MIN_KEEP_ALIVE_MS = 2_000;
export const MAX_KEEP_ALIVE_MS = 60_000;

export function keepAliveDelayMs(options: { expiresAtMs: number; nowMs: number }): number {
  const leftMs = options.expiresAtMs - options.nowMs;
  if (!Number.isFinite(leftMs)) return MIN_KEEP_ALIVE_MS;
  return Math.min(MAX_KEEP_ALIVE_MS, Math.max(MIN_KEEP_ALIVE_MS, Math.floor(leftMs / 3)));
}
