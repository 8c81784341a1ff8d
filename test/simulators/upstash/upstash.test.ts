/**
 * The Upstash-REST front against the real Redis (REDIS_URL; CI sets it):
 * `@upstash/ratelimit` runs unchanged through it, shebang scripts included,
 * and case L1 holds with a fake clock on the client (which is where the
 * library computes its window keys).
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startUpstashFront, type UpstashFront } from "./server.ts";

const redisUrl = process.env.REDIS_URL;
const TOKEN = "front-test-token";
let front: UpstashFront;

describe.runIf(redisUrl)("Upstash-REST front over real Redis", () => {
  beforeAll(async () => {
    front = await startUpstashFront({ redisUrl, token: TOKEN });
  });
  afterAll(() => front?.close());
  afterEach(() => vi.useRealTimers());

  function limiter(tokens: number, window: `${number} s`) {
    return new Ratelimit({
      redis: new Redis({ url: front.url, token: TOKEN, enableTelemetry: false }),
      limiter: Ratelimit.fixedWindow(tokens, window),
      prefix: `front-test:${Date.now()}:${Math.random()}`,
      ephemeralCache: false,
      analytics: false,
    });
  }

  it("L1: 1 per 10 s at t = 0, 1 s and 20 s: allowed, refused (reset ≈ 9 s), allowed", async () => {
    const start = Math.ceil(Date.now() / 10_000) * 10_000 + 100_000;
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    const ratelimit = limiter(1, "10 s");

    expect((await ratelimit.limit("person")).success).toBe(true);
    vi.setSystemTime(start + 1_000);
    const refused = await ratelimit.limit("person");
    expect(refused.success).toBe(false);
    expect(refused.remaining).toBe(0);
    expect(Math.ceil((refused.reset - Date.now()) / 1000)).toBe(9);
    vi.setSystemTime(start + 20_000);
    expect((await ratelimit.limit("person")).success).toBe(true);
  });

  it("L1: a limit of 5 admits exactly 5 of 6, and the window turns over 1 ms past its end", async () => {
    const start = Math.ceil(Date.now() / 10_000) * 10_000 + 200_000;
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    const ratelimit = limiter(5, "10 s");

    const results = [];
    for (let index = 0; index < 6; index++) results.push(await ratelimit.limit("team"));
    expect(results.map((result) => result.success)).toEqual([true, true, true, true, true, false]);
    expect(results.every((result) => result.remaining >= 0)).toBe(true);

    vi.setSystemTime(start + 9_999);
    expect((await ratelimit.limit("team")).success).toBe(false);
    vi.setSystemTime(start + 10_000);
    expect((await ratelimit.limit("team")).success).toBe(true);
  });

  it("answers bad tokens with 401 and per-command errors inside a 200 pipeline", async () => {
    const unauthorized = await fetch(`${front.url}/pipeline`, {
      method: "POST",
      headers: { authorization: "Bearer wrong" },
      body: "[]",
    });
    expect(unauthorized.status).toBe(401);

    const key = `front-test:${Date.now()}:text`;
    const response = await fetch(`${front.url}/pipeline`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "upstash-encoding": "base64" },
      body: JSON.stringify([
        ["set", key, "héllo"],
        ["get", key],
        ["incr", key],
        ["del", key],
      ]),
    });
    expect(response.status).toBe(200);
    const replies = (await response.json()) as { result?: unknown; error?: string }[];
    expect(replies[0]).toEqual({ result: "OK" });
    expect(Buffer.from(String(replies[1]?.result), "base64").toString("utf8")).toBe("héllo");
    expect(replies[2]?.error).toMatch(/not an integer/);
    expect(replies[3]).toEqual({ result: 1 });
  });
});
