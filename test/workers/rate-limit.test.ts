/**
 * The edge rate limit inside workerd, on both of its paths: the Workers
 * rate-limiting binding (always), and Upstash through the local REST front
 * over the real Redis (when REDIS_URL is set; CI sets it). Slow and
 * unreachable Redis take the documented fallback.
 */
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, inject, it } from "vitest";
import type { ErrorBody } from "../../contract/api.ts";
import type { AppBindings, Env } from "../../worker/env.ts";
import { errorHandler } from "../../worker/middleware/errors/index.ts";
import { rateLimit } from "../../worker/middleware/rate-limit/index.ts";
import { requestId } from "../../worker/middleware/request-id/index.ts";
import { BASE, signIn } from "./helpers.ts";

let run = 0;

/** The real middleware in a small app, as `createApp` mounts it before sign-in. */
function ipLimitedApp() {
  const app = new Hono<AppBindings>();
  app.use("*", requestId());
  app.onError(errorHandler());
  app.use("*", rateLimit({ scope: "ip" }));
  app.get("/ping", (c) => c.text("pong"));
  return app;
}

function callFrom(
  app: Hono<AppBindings>,
  ip: string,
  overrides: Partial<Env>,
  headers: Record<string, string> = {},
) {
  return app.request(
    `${BASE}/ping`,
    { headers: { "cf-connecting-ip": ip, ...headers } },
    { ...env, ...overrides },
  );
}

const noUpstash: Partial<Env> = { UPSTASH_REDIS_REST_URL: "" };

describe("edge rate limit on the Workers binding", () => {
  it("admits exactly the configured 300 per 60 s from one IP, then explains the 429", async () => {
    const app = ipLimitedApp();
    const ip = `203.0.113.${++run}`;
    const statuses: number[] = [];
    for (let index = 0; index < 301; index++) {
      statuses.push((await callFrom(app, ip, noUpstash)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(300);
    expect(statuses.at(-1)).toBe(429);

    const refused = await callFrom(app, ip, noUpstash);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    const { error } = (await refused.json()) as ErrorBody;
    expect(error.code).toBe("rate_limited");
    expect(error.limit).toMatchObject({
      scope: "ip",
      limit: 300,
      remaining: 0,
      windowSeconds: 60,
      retryAfterSeconds: 60,
      // The binding does not say when its window ends, so the reset is the latest it can be.
      resetIsLatest: true,
    });
    expect(error.message).toContain("This network address has used 300 of 300 requests per 60 s");
    expect(error.message).toMatch(/It resets by \d\d:\d\d:\d\d UTC at the latest, within 60 s\./);
    expect(error.hint).toContain("Wait 60 s");

    const other = await callFrom(app, `198.51.100.${run}`, noUpstash);
    expect(other.status).toBe(200);
  });
});

describe("edge rate limit for tokens that do not verify", () => {
  it("counts a flood of made-up bearer tokens per IP, and exempts only a verified one", async () => {
    const app = ipLimitedApp();
    const ip = `203.0.113.${++run}`;
    const garbage = { authorization: "Bearer garbage" };
    const statuses: number[] = [];
    for (let index = 0; index < 301; index++) {
      statuses.push((await callFrom(app, ip, noUpstash, garbage)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(300);
    expect(statuses.at(-1)).toBe(429);

    // Well-formed, but signed with no key Kiln knows.
    const unsigned = [{ alg: "HS256" }, { sub: "x" }].map((part) => btoa(JSON.stringify(part)));
    const forged = await callFrom(app, ip, noUpstash, {
      authorization: `Bearer ${[...unsigned, "c2lnbmF0dXJl"].join(".")}`,
    });
    expect(forged.status).toBe(429);
    expect(((await forged.json()) as ErrorBody).error.limit?.scope).toBe("ip");

    // A signed-in caller from the same address is counted per user later, not per IP.
    const session = await signIn();
    const signedIn = await callFrom(app, ip, noUpstash, {
      authorization: `Bearer ${session.access_token}`,
    });
    expect(signedIn.status).toBe(200);
  });
});

const upstashUrl = inject("upstashUrl");

describe.runIf(upstashUrl)("edge rate limit on Upstash (real Redis behind the REST front)", () => {
  it("admits exactly 5 of 6 and answers with a Retry-After that matches the window's reset", async () => {
    const app = ipLimitedApp();
    const overrides: Partial<Env> = {
      KILN_RATE_LIMITS: JSON.stringify({ ip: { limit: 5, windowSeconds: 10 } }),
      KILN_RATE_LIMIT_PREFIX: `${inject("rateLimitPrefix")}:five-${++run}`,
      // This test is about Upstash's count: a busy machine must not make it
      // fall back to the binding (the timeout's own tests are below).
      KILN_RATE_LIMIT_TIMEOUT_MS: "10000",
    };
    const responses = [];
    for (let index = 0; index < 6; index++)
      responses.push(await callFrom(app, "192.0.2.1", overrides));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(responses.map((response) => response.headers.get("ratelimit-remaining"))).toEqual([
      "4",
      "3",
      "2",
      "1",
      "0",
      "0",
    ]);

    const refused = responses[5];
    if (!refused) throw new Error("no sixth response");
    const { error } = (await refused.json()) as ErrorBody;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(error.limit?.retryAfterSeconds).toBe(retryAfter);
    // The fixed window ends on a multiple of 10 s: that is the reset the header points at.
    const resetMs = Date.parse(error.limit?.resetAt ?? "");
    expect(resetMs % 10_000).toBe(0);
    // Upstash knows the moment, so it is not given as a latest.
    expect(error.limit?.resetIsLatest).toBeUndefined();
    expect(error.message).toMatch(/It resets at \d\d:\d\d:\d\d UTC, in \d+ s\./);
  });
});

describe("edge rate limit when Redis is slow or down", () => {
  const slow = (extra: Partial<Env>): Partial<Env> => ({
    UPSTASH_REDIS_REST_URL: inject("slowUpstashUrl"),
    UPSTASH_REDIS_REST_TOKEN: inject("upstashToken"),
    KILN_RATE_LIMIT_TIMEOUT_MS: "100",
    KILN_RATE_LIMIT_PREFIX: `slow-${++run}`,
    ...extra,
  });

  it("falls back to the Workers binding after the timeout, so the limit still holds", async () => {
    const app = ipLimitedApp();
    const response = await callFrom(app, "192.0.2.50", slow({}));
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit-limit")).toBe("300");
  });

  it("lets the request through when there is no binding either", async () => {
    const app = ipLimitedApp();
    const response = await callFrom(app, "192.0.2.51", slow({ RATE_LIMIT_IP: undefined }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("pong");
  });

  it("treats an unreachable Upstash like a slow one", async () => {
    const app = ipLimitedApp();
    const response = await callFrom(app, "192.0.2.52", {
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
      UPSTASH_REDIS_REST_TOKEN: "x",
      KILN_RATE_LIMIT_TIMEOUT_MS: "100",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit-limit")).toBe("300");
  });
});
