/**
 * Deadlines for sandbox commands (case X1). The SDK's hidden default of 60 s
 * would cut a 75 s install short, and a command allowed to outlive its
 * sandbox ends as a confusing "sandbox gone": so every command gets an
 * explicit timeout, the step's own bound or the sandbox's remaining life,
 * whichever is shorter.
 */

/** Left for the kill and the last log lines before the sandbox itself ends. */
export const END_OF_LIFE_MARGIN_MS = 2_000;

export function commandTimeoutMs(input: {
  stepTimeoutMs: number;
  expiresAtMs: number;
  nowMs: number;
}): number {
  const remaining = input.expiresAtMs - input.nowMs - END_OF_LIFE_MARGIN_MS;
  return Math.max(0, Math.min(input.stepTimeoutMs, remaining));
}

/** The keep-alive target: a fresh TTL from now, never past the plan's maximum lifetime. */
export function extendedExpiryMs(input: {
  nowMs: number;
  ttlSeconds: number;
  maxExpiresAtMs: number;
}): number {
  return Math.min(input.nowMs + input.ttlSeconds * 1000, input.maxExpiresAtMs);
}

/** Bounded polling of the preview port: how long to wait before the next try. */
export function pollDelayMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 2_000);
}
