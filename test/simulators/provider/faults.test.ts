import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeFault, NO_FAULTS, readFaults } from "./faults.ts";
import { type ProviderSimulator, startProviderSimulator } from "./server.ts";

describe("fault selection", () => {
  it("reads a prompt marker, and headers win over it", () => {
    const faults = readFaults({}, "hi [[sim fault=cut on=openai times=2 tag=t1 chunk-ms=5]]");
    expect(faults).toMatchObject({ fault: "cut", on: "openai", times: 2, tag: "t1", chunkMs: 5 });
    const both = readFaults({ "x-kiln-sim-fault": "stall" }, "[[sim fault=cut]]");
    expect(both.fault).toBe("stall");
    expect(readFaults({}, "[[sim fault=nonsense]]").fault).toBeUndefined();
  });

  it("applies `on`, `times` and `flap` per call of a tag", () => {
    const faults = {
      ...NO_FAULTS,
      fault: "server-error" as const,
      on: "openai" as const,
      times: 1,
    };
    expect(activeFault({ faults, protocol: "anthropic", earlierCalls: 0 })).toBeUndefined();
    expect(activeFault({ faults, protocol: "openai", earlierCalls: 0 })).toBe("server-error");
    expect(activeFault({ faults, protocol: "openai", earlierCalls: 1 })).toBeUndefined();
    const flap = { ...NO_FAULTS, fault: "flap" as const };
    expect(
      [0, 1, 2, 3].map((n) => activeFault({ faults: flap, protocol: "openai", earlierCalls: n })),
    ).toEqual(["server-error", undefined, "server-error", undefined]);
  });
});

describe("faults on the wire", () => {
  let simulator: ProviderSimulator;
  beforeAll(async () => {
    simulator = await startProviderSimulator({ firstTokenDelayMs: 0, chunkDelayMs: 0 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  const post = (fault: string, tag: string) =>
    fetch(`${simulator.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: "Bearer k",
        "content-type": "application/json",
        "x-kiln-sim-tag": tag,
      },
      body: JSON.stringify({
        model: "m",
        stream: true,
        messages: [{ role: "user", content: `hi [[sim fault=${fault}]]` }],
      }),
    });

  it("answers 429 with Retry-After, and counts calls per tag", async () => {
    const response = await post("rate-limit", "wire-1");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    expect((await post("rate-limit-bare", "wire-1")).headers.get("retry-after")).toBeNull();

    const calls = (await fetch(`${simulator.url}/_sim/calls?tag=wire-1`).then((r) => r.json())) as {
      calls: { fault: string }[];
    };
    expect(calls.calls.map((call) => call.fault)).toEqual(["rate-limit", "rate-limit-bare"]);
  });

  it("ends a no-terminator stream without [DONE]", async () => {
    const text = await (await post("no-terminator", "wire-2")).text();
    expect(text).toContain("data: {");
    expect(text).not.toContain("[DONE]");
  });
});
