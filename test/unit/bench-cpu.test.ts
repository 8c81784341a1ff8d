/** The benchmark's CPU accounting (bench/support/workerd.ts), read from /proc. */
import { describe, expect, it } from "vitest";
import { cpuMs } from "../../bench/support/workerd.ts";

describe("cpuMs", () => {
  it("counts the CPU a process spends, in milliseconds", () => {
    const before = cpuMs([process.pid]);
    const startedAt = performance.now();
    // Spin until 200 ms of CPU are counted, or give up after 10 s of wall time.
    while (cpuMs([process.pid]) - before < 200 && performance.now() - startedAt < 10_000) {
      for (let index = 0; index < 100_000; index += 1) Math.sqrt(index);
    }
    const spent = cpuMs([process.pid]) - before;
    expect(spent).toBeGreaterThanOrEqual(200);
    // Counted in ms, not ticks or seconds: 200 ms of CPU took at least a fraction of that in wall time.
    expect(performance.now() - startedAt).toBeGreaterThan(spent / 8);
  });

  it("counts a process that is gone as nothing", () => {
    expect(cpuMs([2 ** 22 + 12_345])).toBe(0);
  });
});
