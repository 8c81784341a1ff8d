/**
 * The operator's view: a provider outage injected in the simulator shows in
 * the ops figures and raises exactly one alert however many requests fail;
 * the team's own dashboard figures; and incident switches that act without
 * a deploy, behind the platform operator role.
 */
import { env } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type {
  IncidentSwitches,
  OpsObservabilityResponse,
  TeamMetricsResponse,
} from "../../contract/observability.ts";
import type { UsageResponse } from "../../contract/usage.ts";
import { createSql } from "../../worker/db/client.ts";
import { readChatEvents } from "../support/sse.ts";
import { api, readError, signIn } from "./helpers.ts";
import { captureLogs, type LogLine, receivedAt, webhookUrl } from "./observability-support.ts";
import {
  injectFaults,
  last,
  PYTHON_RUN,
  REACT_APP,
  runSandbox,
  setSandboxSettings,
} from "./sandbox-helpers.ts";

const sql = createSql(env);
afterAll(() => sql.end({ timeout: 2 }));

afterEach(() => {
  vi.restoreAllMocks();
});

async function opsFigures(token: string): Promise<OpsObservabilityResponse> {
  const response = await api("/api/ops/observability", { token });
  expect(response.status).toBe(200);
  return response.json();
}

async function alertsAbout(teamId: string) {
  const posts = await receivedAt(webhookUrl(), "/alerts");
  return posts
    .map((post) => JSON.parse(post.body) as { text: string; blocks: unknown[] })
    .filter((alert) => alert.text.includes(teamId));
}

describe("ops figures and alerts", () => {
  it("shows an injected provider outage and alerts once", async () => {
    const operator = await signIn("ops@example.com");
    const person = await signIn();

    // The OpenAI-protocol primary answers 503 to every call; the Anthropic-protocol
    // fallback serves, so people get answers while the primary's figures go red.
    for (let turn = 0; turn < 4; turn++) {
      const response = await api("/api/chat", {
        token: person.access_token,
        body: { message: `turn ${turn} [[sim fault=unavailable on=openai]]` },
      });
      expect(response.status).toBe(200);
      const events = await readChatEvents(response);
      expect(events.at(-1)?.event.type).toBe("done");
    }

    await vi.waitFor(async () => {
      const figures = await opsFigures(operator.access_token);
      const fallback = figures.providers.find((entry) => entry.provider === "simulator-anthropic");
      expect(fallback?.requests).toBe(4);
    });
    const figures = await opsFigures(operator.access_token);
    const primary = figures.providers.find((entry) => entry.provider === "simulator-openai");
    const fallback = figures.providers.find((entry) => entry.provider === "simulator-anthropic");
    expect(primary?.errors).toBeGreaterThanOrEqual(3);
    expect(primary?.errorRate).toBe(1);
    expect(fallback?.errorRate).toBe(0);
    expect(figures.recentAlerts.map((alert) => alert.key)).toEqual(["provider:simulator-openai"]);

    // One alert for the incident: the spike, not again for each failure nor for the breaker.
    await vi.waitFor(async () => {
      expect(await alertsAbout(person.team_id)).toHaveLength(1);
    });
    const [alert] = await alertsAbout(person.team_id);
    expect(alert?.text).toContain("Provider error spike: simulator-openai");
    expect(alert?.text).toContain("#provider-error-spike");
  });

  it("counts a turn that failed everywhere against the team's errors today", async () => {
    const operator = await signIn("ops@example.com");
    const person = await signIn();
    const response = await api("/api/chat", {
      token: person.access_token,
      body: { message: "hello [[sim fault=unavailable]]" },
    });
    expect(response.status).toBe(503);
    const error = await readError(response);
    expect(error.code).toBe("provider_unavailable");
    expect((error as { traceId?: string }).traceId).toBe(response.headers.get("x-trace-id"));

    await vi.waitFor(async () => {
      const figures = await opsFigures(operator.access_token);
      const team = figures.topTeamsByErrors.find((entry) => entry.teamId === person.team_id);
      expect(team).toMatchObject({ requests: 1, errors: 1 });
    });
  });

  it("keeps the ops figures for platform operators only", async () => {
    const person = await signIn();
    const response = await api("/api/ops/observability", { token: person.access_token });
    expect(response.status).toBe(403);
    expect((await readError(response)).code).toBe("forbidden");
  });
});

describe("team metrics", () => {
  it("counts a turn in the current minute and hour", async () => {
    const person = await signIn();
    const answer = await api("/api/chat", {
      token: person.access_token,
      body: { message: "a counter" },
    });
    await readChatEvents(answer);

    await vi.waitFor(async () => {
      const response = await api("/api/metrics", { token: person.access_token });
      const metrics = (await response.json()) as TeamMetricsResponse;
      expect(metrics.minutes.at(-1)?.requests).toBe(1);
    });
    const response = await api("/api/metrics", { token: person.access_token });
    const metrics = (await response.json()) as TeamMetricsResponse;
    expect(metrics.teamId).toBe(person.team_id);
    expect(metrics.minutes).toHaveLength(60);
    expect(metrics.hours).toHaveLength(24);
    const minute = metrics.minutes.at(-1);
    expect(minute?.errors).toBe(0);
    expect(minute?.outputTokens).toBeGreaterThan(0);
    expect(minute?.latencyMs?.p50).toBeGreaterThan(0);
    expect(minute?.timeToFirstTokenMs?.p99).toBeGreaterThan(0);
    expect(minute?.cacheHitRate).toBe(0);
    expect(metrics.hours.at(-1)?.requests).toBe(1);
  });
});

describe("cost and cache hits in the request log and the team metrics", () => {
  it("logs each turn's settled cost and cache hit, and the minute sums them", async () => {
    const person = await signIn();
    const token = person.access_token;
    const logs = captureLogs();
    const ask = async () =>
      readChatEvents(await api("/api/chat", { token, body: { message: "a pomodoro timer" } }));

    const first = await ask();
    await vi.waitFor(() => expect(requestLines(logs.lines, person.team_id)).toHaveLength(1));
    const second = await ask();
    expect(second[0]?.event).toMatchObject({ type: "meta", cached: true });
    expect(first.at(-1)?.event.type).toBe("done");
    await vi.waitFor(() => expect(requestLines(logs.lines, person.team_id)).toHaveLength(2));

    // The ledger's price of the turn is the one the log line carries, in micro-dollars.
    const usage = (await (await api("/api/usage", { token })).json()) as UsageResponse;
    const spent = usage.budgets.find((budget) => budget.name === "dollars_per_month")?.used;
    expect(spent).toBeGreaterThan(0);
    const [live, cached] = requestLines(logs.lines, person.team_id);
    expect(live).toMatchObject({ cacheHit: false, costMicroUsd: spent, outcome: "complete" });
    expect(cached).toMatchObject({ cacheHit: true, costMicroUsd: 0, outcome: "complete" });

    const response = await api("/api/metrics", { token });
    const minute = ((await response.json()) as TeamMetricsResponse).minutes.at(-1);
    expect(minute).toMatchObject({ requests: 2, costMicroUsd: spent, cacheHitRate: 0.5 });
  });
});

describe("budget overruns", () => {
  it("alert once to the webhook and show on the ops page when a team reaches 100 %", async () => {
    const operator = await signIn("ops@example.com");
    const person = await signIn();
    const token = person.access_token;
    await readChatEvents(await api("/api/chat", { token, body: { message: "a stopwatch" } }));
    const usage = (await (await api("/api/usage", { token })).json()) as UsageResponse;
    const spent = usage.budgets.find((budget) => budget.name === "dollars_per_month")?.used ?? 0;
    expect(spent).toBeGreaterThan(0);

    // The owner lowers the month's budget to what is spent: 100 % at once, and 80 % with it.
    // Lowering it again, and a turn refused for it, are the same overrun: no second alert.
    for (let time = 0; time < 2; time++) {
      const lowered = await api("/api/limits", {
        token,
        method: "PUT",
        body: { dollarsPerMonthMicroUsd: spent },
      });
      expect(lowered.status).toBe(200);
    }
    const refused = await api("/api/chat", { token, body: { message: "one more" } });
    expect(refused.status).toBe(429);

    await vi.waitFor(async () => {
      const figures = await opsFigures(operator.access_token);
      expect(figures.overBudget.find((entry) => entry.teamId === person.team_id)).toMatchObject({
        budget: "dollars_per_month",
        unit: "micro_usd",
        used: spent,
        limit: spent,
      });
      expect(figures.recentAlerts.map((alert) => alert.key)).toContain(
        `budget_overrun:${person.team_id}/dollars_per_month`,
      );
    });
    await vi.waitFor(async () => expect(await alertsAbout(person.team_id)).toHaveLength(1));
    const [alert] = await alertsAbout(person.team_id);
    expect(alert?.text).toContain(`Budget overrun: ${person.team_id}/dollars_per_month`);
    expect(alert?.text).toContain("#budget-overrun");
    expect(alert).toMatchObject({ blocks: [{ type: "section", text: { type: "mrkdwn" } }] });
  });
});

describe("sandbox starts and failures", () => {
  it("counts each run when it settles, in the team's minute and the ops figures", async () => {
    const operator = await signIn("ops@example.com");
    const person = await signIn();
    const token = person.access_token;
    const before = (await opsFigures(operator.access_token)).sandboxes;

    expect(last(await runSandbox(token, REACT_APP), "ready")?.sandbox.status).toBe("ready");
    await injectFaults(person.team_id, ["create-fails"]);
    expect(last(await runSandbox(token, REACT_APP), "unavailable")?.fallback.reason).toBe(
      "e2b_down",
    );

    const response = await api("/api/metrics", { token });
    const minute = ((await response.json()) as TeamMetricsResponse).minutes.at(-1);
    expect(minute).toMatchObject({ sandboxStarts: 2, sandboxFailures: 1 });
    await vi.waitFor(async () => {
      const after = (await opsFigures(operator.access_token)).sandboxes;
      expect(after.starts - before.starts).toBe(2);
      expect(after.failures - before.failures).toBe(1);
    });
  });

  it("counts every start that never became ready as a failure, whoever caused it", async () => {
    const operator = await signIn("ops@example.com");
    const person = await signIn();
    const token = person.access_token;
    const before = (await opsFigures(operator.access_token)).sandboxes;
    // A short life, so the app that never listens gives up within seconds.
    await setSandboxSettings({ ttlSeconds: 8 });

    try {
      expect(last(await runSandbox(token, PYTHON_RUN), "finished")).toBeDefined();
      for (const fault of ["install-fails", "start-crashes", "port-never-opens"]) {
        await injectFaults(person.team_id, [fault]);
        const failed = last(await runSandbox(token, REACT_APP), "failed");
        expect(failed?.failure.outcome, fault).toMatch(/^(exit_nonzero|not_ready)$/);
      }
    } finally {
      await setSandboxSettings({});
    }

    const response = await api("/api/metrics", { token });
    const { minutes } = (await response.json()) as TeamMetricsResponse;
    const starts = minutes.reduce((sum, minute) => sum + minute.sandboxStarts, 0);
    const failures = minutes.reduce((sum, minute) => sum + minute.sandboxFailures, 0);
    expect({ starts, failures }).toEqual({ starts: 4, failures: 3 });
    await vi.waitFor(async () => {
      const after = (await opsFigures(operator.access_token)).sandboxes;
      expect(after.starts - before.starts).toBe(4);
      expect(after.failures - before.failures).toBe(3);
    });

    // The dashboard's figures agree with the team's sandbox log in Postgres.
    await expect
      .poll(
        async () => {
          const rows = await sql<{ event: string; count: number }[]>`
            select event, count(*)::int as count from public.sandbox_records
            where team_id = ${person.team_id} and event in ('ready', 'finished', 'failed')
            group by event order by event`;
          return Object.fromEntries(rows.map((row) => [row.event, row.count]));
        },
        { timeout: 10_000 },
      )
      .toEqual({ failed: failures, finished: starts - failures });
  });
});

function requestLines(lines: LogLine[], teamId: string) {
  return lines.filter((line) => line.event === "chat.request" && line.teamId === teamId);
}

describe("incident switches", () => {
  it("switches a provider off and forces a fallback model, for operators only", async () => {
    const operator = await signIn("ops@example.com");
    const person = await signIn();

    const refused = await api("/api/ops/switches", {
      token: person.access_token,
      method: "PUT",
      body: { providersOff: ["simulator-openai"] },
    });
    expect(refused.status).toBe(403);

    const off = await api("/api/ops/switches", {
      token: operator.access_token,
      method: "PUT",
      body: { providersOff: ["simulator-openai"] },
    });
    expect(off.status).toBe(200);
    expect(((await off.json()) as IncidentSwitches).updatedBy).toBe("ops@example.com");

    // The switched-off primary is left out of the route: the fallback serves.
    const rerouted = await readChatEvents(
      await api("/api/chat", { token: person.access_token, body: { message: "hi" } }),
    );
    const reroutedMeta = rerouted[0]?.event;
    expect(reroutedMeta?.type === "meta" && reroutedMeta.provider).toBe("simulator-anthropic");

    await api("/api/ops/switches", {
      token: operator.access_token,
      method: "PUT",
      body: {
        providersOff: [],
        forcedFallback: { provider: "simulator-anthropic", model: "kiln-fallback-model" },
      },
    });
    const forced = await readChatEvents(
      await api("/api/chat", {
        token: person.access_token,
        body: { message: "hi" },
      }),
    );
    const meta = forced[0]?.event;
    expect(meta?.type === "meta" && meta.model).toBe("kiln-fallback-model");
    expect(meta?.type === "meta" && meta.provider).toBe("simulator-anthropic");
    expect(forced.at(-1)?.event.type).toBe("done");

    // A fallback to a provider with no key here would fail every answer: refused, and nothing changes.
    const unconfigured = await api("/api/ops/switches", {
      token: operator.access_token,
      method: "PUT",
      body: { forcedFallback: { provider: "openai", model: "gpt-4.1-mini" } },
    });
    expect(unconfigured.status).toBe(400);
    const refusal = await readError(unconfigured);
    expect(refusal.code).toBe("provider_not_configured");
    expect(refusal.hint).toContain("simulator-anthropic");
    const unchanged = await api("/api/ops/switches", { token: operator.access_token });
    expect(await unchanged.json()).toMatchObject({
      forcedFallback: { provider: "simulator-anthropic", model: "kiln-fallback-model" },
    });

    // "Sandboxes off" is the sandbox module's own kill switch.
    await api("/api/ops/switches", {
      token: operator.access_token,
      method: "PUT",
      body: { sandboxesDisabled: true },
    });
    const sandboxSettings = await api("/api/sandbox/settings", { token: operator.access_token });
    expect(await sandboxSettings.json()).toMatchObject({ settings: { disabled: true } });

    const reset = await api("/api/ops/switches", {
      token: operator.access_token,
      method: "PUT",
      body: { forcedFallback: null, sandboxesDisabled: false },
    });
    expect(await reset.json()).toMatchObject({
      providersOff: [],
      forcedFallback: null,
      sandboxesDisabled: false,
    });
  });
});
