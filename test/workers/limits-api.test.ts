/**
 * Limits as people meet them through the API: a team over its budget gets
 * a 429 that says which limit, the figure, what is left, when it resets and
 * what to do, with a matching Retry-After; usage is visible per person, as
 * JSON and CSV; overrides stay within the plan; prices are operators' only.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "../../contract/api.ts";
import type { UsageResponse } from "../../contract/usage.ts";
import { joinedText, readChatEvents } from "../support/sse.ts";
import { api, BASE, readError, signIn } from "./helpers.ts";

describe("limits through the API", () => {
  it("refuses a chat over the monthly budget with an explained 429 and Retry-After", async () => {
    const session = await signIn();
    const token = session.access_token;
    const set = await api("/api/limits", {
      token,
      method: "PUT",
      body: { dollarsPerMonthMicroUsd: 1 },
    });
    expect(set.status).toBe(200);

    const response = await api("/api/chat", { token, body: { message: "Build me a counter" } });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get("retry-after"));
    const error = await readError(response);
    const { limit } = error as ErrorBody["error"];

    expect(error.code).toBe("budget_exceeded");
    expect(limit).toMatchObject({
      scope: "team",
      name: "dollars_per_month",
      limit: 1,
      remaining: 1,
    });
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(limit?.retryAfterSeconds).toBe(retryAfter);
    const now = new Date();
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    expect(limit?.resetAt).toBe(new Date(nextMonth).toISOString());
    expect(error.message).toContain("Your team has used $0.00 of $0.000001");
    expect(error.hint).toContain("ask a team admin to raise the budget");
  });

  it("records a finished chat in the usage ledger, as JSON and CSV", async () => {
    const session = await signIn();
    const token = session.access_token;
    const events = await readChatEvents(
      await api("/api/chat", { token, body: { message: "a to-do app" } }),
    );
    expect(events.at(-1)?.event.type).toBe("done");

    const answer = await api("/api/usage", { token });
    expect(answer.status).toBe(200);
    const usage = (await answer.json()) as UsageResponse;
    expect(usage.scope).toBe("team");
    expect(usage.rows).toHaveLength(1);
    const row = usage.rows[0];
    expect(row).toMatchObject({ model: "kiln-simulated", userId: session.user.id, requests: 1 });
    expect(row?.outputTokens).toBeGreaterThan(0);
    expect(row?.costMicroUsd).toBeGreaterThan(0);
    expect(usage.people[session.user.id]).toBe(session.user.email);
    const dollars = usage.budgets.find((budget) => budget.name === "dollars_per_month");
    expect(dollars?.used).toBe(row?.costMicroUsd);
    expect(dollars?.reserved).toBe(0);

    const csv = await api("/api/usage.csv", { token });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "day,model,user_id,user_email,input_tokens,output_tokens,cost_usd,requests,cache_hits,errors,sandbox_seconds",
    );
    expect(lines[1]).toContain(`kiln-simulated,${session.user.id},${session.user.email}`);
  });

  it("answers a usage range that is not made of real days with 400 and an example", async () => {
    const { access_token: token } = await signIn();
    for (const query of [
      "from=2026-02-30",
      "from=2026-13-01",
      "to=yesterday",
      "from=2026-12-05&to=2026-12-01",
    ]) {
      const response = await api(`/api/usage?${query}`, { token });
      expect(response.status).toBe(400);
      const error = await readError(response);
      expect(error.code).toBe("invalid_body");
      expect(error.hint).toContain("?from=");
    }
    expect((await api("/api/usage?from=2024-02-29&to=2024-03-01", { token })).status).toBe(200);
  });

  it("refuses overrides above the plan's ceiling with a stable code", async () => {
    const session = await signIn();
    const response = await api("/api/limits", {
      token: session.access_token,
      method: "PUT",
      body: { concurrentGenerations: 10_000 },
    });
    expect(response.status).toBe(422);
    expect((await readError(response)).code).toBe("limit_above_plan");
  });

  it("lets only platform operators read and write the price table", async () => {
    const person = await signIn();
    expect((await api("/api/ops/prices", { token: person.access_token })).status).toBe(403);

    const operator = await signIn("ops@example.com");
    const read = await api("/api/ops/prices", { token: operator.access_token });
    expect(read.status).toBe(200);
    const table = await read.json();
    const write = await api("/api/ops/prices", {
      token: operator.access_token,
      method: "PUT",
      body: table,
    });
    expect(write.status).toBe(200);
    const bad = await api("/api/ops/prices", {
      token: operator.access_token,
      method: "PUT",
      body: { default: { inputMicroUsdPerMillion: 1.5 }, models: {} },
    });
    expect(bad.status).toBe(400);
  });
});

describe("PUT /api/ops/teams/:teamId/plan", () => {
  it("changes an existing team's plan, and refuses a malformed id (400) or an unknown team (404)", async () => {
    const operator = await signIn("ops@example.com");
    const team = await signIn();
    const setPlan = (teamId: string) =>
      api(`/api/ops/teams/${teamId}/plan`, {
        token: operator.access_token,
        method: "PUT",
        body: { plan: "team" },
      });

    const changed = await setPlan(team.team_id);
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ plan: "team" });

    for (const malformed of ["not-a-team", "123", encodeURIComponent("' or 1=1 --")]) {
      const response = await setPlan(malformed);
      expect(response.status).toBe(400);
      const error = await readError(response);
      expect(error.code).toBe("invalid_team_id");
      expect(error.hint).toContain("UUID");
    }

    const unknown = await setPlan(crypto.randomUUID());
    expect(unknown.status).toBe(404);
    expect((await readError(unknown)).code).toBe("team_not_found");
  });
});

describe("the prompt cache", () => {
  it("replays a repeated first message as a cached stream that costs nothing", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ask = async (body: Record<string, unknown>) =>
      readChatEvents(
        await api("/api/chat", { token, body: { message: "a pomodoro timer", ...body } }),
      );

    const first = await ask({});
    const second = await ask({});
    const improved = await ask({ quality: "final" });

    const meta = (events: Awaited<ReturnType<typeof ask>>) => events[0]?.event;
    expect(meta(first)).not.toHaveProperty("cached");
    expect(meta(second)).toMatchObject({ type: "meta", cached: true });
    expect(meta(improved)).not.toHaveProperty("cached");
    expect(joinedText(second)).toBe(joinedText(first));
    expect(second.at(-1)?.event).toEqual({ type: "done", finishReason: "stop" });

    const usage = (await (await api("/api/usage", { token })).json()) as UsageResponse;
    expect(usage.rows).toHaveLength(1);
    expect(usage.rows[0]).toMatchObject({ requests: 3, cacheHits: 1 });
    const dollars = usage.budgets.find((budget) => budget.name === "dollars_per_month");
    expect(dollars?.used).toBe(usage.rows[0]?.costMicroUsd);
  });
});

describe("payload limits per route", () => {
  it("refuses a small-JSON route's oversized body by the bytes read, with no Content-Length", async () => {
    const session = await signIn();
    const padding = "x".repeat(20 * 1024);
    const bytes = new TextEncoder().encode(JSON.stringify({ tokensPerDay: 1, padding }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const response = await SELF.fetch(`${BASE}/api/limits`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${session.access_token}`,
        "content-type": "application/json",
      },
      body,
    });
    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe("payload_too_large");
  });
});
