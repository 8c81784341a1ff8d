/**
 * The circuit breaker's rules as pure functions over one provider's record,
 * so transitions are tested with a fake clock. A breaker opens when, within
 * a window, at least MIN_CALLS calls were made and the failure rate reached
 * FAILURE_RATE; it stays open for COOLDOWN_MS, then lets one trial call
 * through (half-open); the trial's success closes it, its failure reopens it.
 * A trial that ends telling nothing about the provider (the user stopped it,
 * the client went away, the request was refused as invalid) gives the trial
 * back, so the next call is the trial instead of waiting another cooldown.
 */

export const BREAKER_POLICY = {
  windowMs: 60_000,
  minCalls: 5,
  failureRate: 0.5,
  cooldownMs: 30_000,
} as const;

export type BreakerPolicy = { [K in keyof typeof BREAKER_POLICY]: number };

export type BreakerState = "closed" | "open" | "half_open";

export type BreakerRecord = {
  state: BreakerState;
  windowStart: number;
  calls: number;
  failures: number;
  /** When it last opened; the cooldown counts from here. */
  openedAt: number | null;
  /** When the half-open trial call started, if one is running. */
  trialStartedAt: number | null;
};

export function closedBreaker(now: number): BreakerRecord {
  return {
    state: "closed",
    windowStart: now,
    calls: 0,
    failures: 0,
    openedAt: null,
    trialStartedAt: null,
  };
}

/**
 * May a call go to this provider now? Returns the record to store (an open
 * breaker past its cooldown turns half-open and claims the trial).
 */
export function admit(
  record: BreakerRecord,
  now: number,
  policy: BreakerPolicy = BREAKER_POLICY,
): { allowed: boolean; record: BreakerRecord } {
  if (record.state === "closed") return { allowed: true, record };

  const cooledDown = record.openedAt !== null && now - record.openedAt >= policy.cooldownMs;
  // A trial that never reported back (the object was evicted) expires like a cooldown.
  const trialStale =
    record.trialStartedAt !== null && now - record.trialStartedAt >= policy.cooldownMs;

  if (record.state === "open" && cooledDown) {
    return { allowed: true, record: { ...record, state: "half_open", trialStartedAt: now } };
  }
  if (record.state === "half_open" && (record.trialStartedAt === null || trialStale)) {
    return { allowed: true, record: { ...record, trialStartedAt: now } };
  }
  return { allowed: false, record };
}

/**
 * Gives back the half-open trial claimed at `trialStartedAt`. Only that
 * claim's own trial: a call admitted earlier, or a trial already settled or
 * given up as stale and claimed again, leaves the record as it is.
 */
export function releaseTrial(record: BreakerRecord, trialStartedAt: number): BreakerRecord {
  return record.state === "half_open" && record.trialStartedAt === trialStartedAt
    ? { ...record, trialStartedAt: null }
    : record;
}

/** Records how a call ended. */
export function recordResult(
  record: BreakerRecord,
  options: { success: boolean; now: number },
  policy: BreakerPolicy = BREAKER_POLICY,
): BreakerRecord {
  const { success, now } = options;

  if (record.state === "half_open") {
    return success
      ? closedBreaker(now)
      : { ...record, state: "open", openedAt: now, trialStartedAt: null };
  }
  if (record.state === "open") return record;

  const fresh = now - record.windowStart >= policy.windowMs;
  const base = fresh ? closedBreaker(now) : record;
  const next = {
    ...base,
    calls: base.calls + 1,
    failures: base.failures + (success ? 0 : 1),
  };

  const tripped = next.calls >= policy.minCalls && next.failures / next.calls >= policy.failureRate;
  return tripped ? { ...next, state: "open", openedAt: now } : next;
}

/**
 * When a breaker that refuses calls will next let a trial through, for a
 * Retry-After and the ops view: an open one at the end of its cooldown, a
 * half-open one whose trial is running when that trial would count as stale.
 * Null when calls go through now (closed, or half-open with the trial free).
 */
export function reopensAt(
  record: BreakerRecord,
  policy: BreakerPolicy = BREAKER_POLICY,
): number | null {
  if (record.state === "open") {
    return record.openedAt === null ? null : record.openedAt + policy.cooldownMs;
  }
  if (record.state === "half_open" && record.trialStartedAt !== null) {
    return record.trialStartedAt + policy.cooldownMs;
  }
  return null;
}
