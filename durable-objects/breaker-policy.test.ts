import { describe, expect, it } from "vitest";
import {
  admit,
  BREAKER_POLICY,
  type BreakerRecord,
  closedBreaker,
  recordResult,
  releaseTrial,
  reopensAt,
} from "./breaker-policy.ts";

function run(record: BreakerRecord, results: boolean[], at: number): BreakerRecord {
  return results.reduce((current, success) => recordResult(current, { success, now: at }), record);
}

describe("circuit breaker transitions (fake clock)", () => {
  it("stays closed below the minimum number of calls, however many fail", () => {
    const record = run(closedBreaker(0), [false, false, false, false], 1_000);
    expect(record.state).toBe("closed");
    expect(admit(record, 1_000).allowed).toBe(true);
  });

  it("opens at the failure rate once the minimum is reached, and skips calls while open", () => {
    const record = run(closedBreaker(0), [true, true, false, false, false], 1_000);
    expect(record.state).toBe("open");
    expect(admit(record, 1_000 + BREAKER_POLICY.cooldownMs - 1).allowed).toBe(false);
  });

  it("does not open when failures are spread over separate windows", () => {
    let record = run(closedBreaker(0), [false, false, false, false], 1_000);
    record = run(record, [false, false], BREAKER_POLICY.windowMs + 1);
    expect(record.state).toBe("closed");
    expect(record.calls).toBe(2);
  });

  it("half-opens after the cooldown with exactly one trial, and closes on its success", () => {
    const opened = run(closedBreaker(0), [false, false, false, false, false], 0);
    const trial = admit(opened, BREAKER_POLICY.cooldownMs);
    expect(trial.allowed).toBe(true);
    expect(trial.record.state).toBe("half_open");
    expect(admit(trial.record, BREAKER_POLICY.cooldownMs + 1).allowed).toBe(false);

    const closed = recordResult(trial.record, {
      success: true,
      now: BREAKER_POLICY.cooldownMs + 5,
    });
    expect(closed.state).toBe("closed");
    expect(closed.failures).toBe(0);
  });

  it("reopens for a new cooldown when the trial fails", () => {
    const opened = run(closedBreaker(0), [false, false, false, false, false], 0);
    const trial = admit(opened, BREAKER_POLICY.cooldownMs).record;
    const reopened = recordResult(trial, { success: false, now: BREAKER_POLICY.cooldownMs + 10 });
    expect(reopened.state).toBe("open");
    expect(admit(reopened, BREAKER_POLICY.cooldownMs * 2).allowed).toBe(false);
    expect(admit(reopened, BREAKER_POLICY.cooldownMs * 2 + 10).allowed).toBe(true);
  });

  it("takes back a released trial, so the next call is the trial", () => {
    const opened = run(closedBreaker(0), [false, false, false, false, false], 0);
    const claimedAt = BREAKER_POLICY.cooldownMs;
    const trial = admit(opened, claimedAt).record;
    expect(reopensAt(trial)).toBe(claimedAt + BREAKER_POLICY.cooldownMs);

    const released = releaseTrial(trial, claimedAt);
    expect(released).toMatchObject({ state: "half_open", trialStartedAt: null });
    expect(reopensAt(released)).toBeNull();
    const next = admit(released, claimedAt + 1);
    expect(next).toMatchObject({ allowed: true, record: { trialStartedAt: claimedAt + 1 } });
    expect(admit(next.record, claimedAt + 2).allowed).toBe(false);
  });

  it("releases only the trial it was given, never a later one or a settled breaker", () => {
    const opened = run(closedBreaker(0), [false, false, false, false, false], 0);
    const trial = admit(opened, BREAKER_POLICY.cooldownMs).record;
    expect(releaseTrial(trial, BREAKER_POLICY.cooldownMs - 1)).toBe(trial);
    const closed = recordResult(trial, { success: true, now: BREAKER_POLICY.cooldownMs + 1 });
    expect(releaseTrial(closed, BREAKER_POLICY.cooldownMs)).toBe(closed);
    expect(releaseTrial(opened, BREAKER_POLICY.cooldownMs)).toBe(opened);
  });

  it("gives a stale trial (never reported) a second chance after another cooldown", () => {
    const opened = run(closedBreaker(0), [false, false, false, false, false], 0);
    const trial = admit(opened, BREAKER_POLICY.cooldownMs).record;
    expect(admit(trial, BREAKER_POLICY.cooldownMs * 2 - 1).allowed).toBe(false);
    expect(admit(trial, BREAKER_POLICY.cooldownMs * 2).allowed).toBe(true);
  });
});
