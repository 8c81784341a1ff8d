/**
 * The global creation rate (one admission object for the deployment): over
 * the rate, requests wait in a first-come queue and learn their place; a
 * waiter that leaves frees its place for the next.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMISSION_OBJECT_NAME } from "../../durable-objects/sandboxes/admission.ts";

const admission = () => env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(ADMISSION_OBJECT_NAME));

describe("sandbox admission", () => {
  it("grants up to the rate, then queues with visible positions in arrival order", async () => {
    const stub = admission();
    expect(await stub.admitSandboxCreation({ ticket: "t1", perMinute: 2 })).toEqual({
      granted: true,
    });
    expect(await stub.admitSandboxCreation({ ticket: "t2", perMinute: 2 })).toEqual({
      granted: true,
    });

    const third = await stub.admitSandboxCreation({ ticket: "t3", perMinute: 2 });
    const fourth = await stub.admitSandboxCreation({ ticket: "t4", perMinute: 2 });
    expect(third).toMatchObject({ granted: false, position: 1 });
    expect(fourth).toMatchObject({ granted: false, position: 2 });
    if (!third.granted) expect(third.retryInMs).toBeGreaterThan(0);

    // Asking again keeps one's place; leaving hands it to the next in line.
    expect(await stub.admitSandboxCreation({ ticket: "t4", perMinute: 2 })).toMatchObject({
      position: 2,
    });
    await stub.leaveSandboxQueue("t3");
    expect(await stub.admitSandboxCreation({ ticket: "t4", perMinute: 2 })).toMatchObject({
      position: 1,
    });

    // With room under a higher rate, the first in line goes next.
    expect(await stub.admitSandboxCreation({ ticket: "t4", perMinute: 3 })).toEqual({
      granted: true,
    });
  });
});
