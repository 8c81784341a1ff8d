/**
 * Team quotas and budgets against the real TeamGateway Durable Object in
 * workerd: concurrent reservations never overshoot, settlement gives back
 * what was not used, alerts fire once per threshold, and the request window
 * behaves at its edges under a fake clock (case L1).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_PRICE_TABLE, PRICE_TABLE_KEY, type PriceTable } from "../../contract/prices.ts";
import { QuotaStore, RESERVATION_TTL_MS } from "../../durable-objects/limits/quota-store.ts";
import type { TeamGateway } from "../../durable-objects/team-gateway.ts";

const MODEL = "overshoot-test-model";
/** $1 per million tokens in and out: a call of 1,000 + 9,000 tokens costs 10,000 micro-dollars. */
const PRICE_TABLE: PriceTable = {
  default: DEFAULT_PRICE_TABLE.default,
  models: {
    ...DEFAULT_PRICE_TABLE.models,
    [MODEL]: {
      inputMicroUsdPerMillion: 1_000_000,
      outputMicroUsdPerMillion: 1_000_000,
      cacheReadMicroUsdPerMillion: 0,
      cacheWriteMicroUsdPerMillion: 0,
    },
  },
};
const WORST_CASE_MICRO_USD = 10_000;

function newTeam(): DurableObjectStub<TeamGateway> {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(`limits-${crypto.randomUUID()}`));
}

const reserve = (team: DurableObjectStub<TeamGateway>, userId = "user-1") =>
  team.reserveGeneration({ userId, model: MODEL, promptTokens: 1_000, maxOutputTokens: 9_000 });

beforeAll(async () => {
  await env.KILN_KV.put(PRICE_TABLE_KEY, JSON.stringify(PRICE_TABLE));
});

describe("budget reservations in the TeamGateway", () => {
  it("admits exactly 50 of 200 simultaneous requests when the budget has room for 50", async () => {
    const team = newTeam();
    await team.setPlan("enterprise");
    expect(
      await team.setLimitOverrides({
        concurrentGenerations: 200,
        requestsPerMinute: 1_000,
        dollarsPerMonthMicroUsd: 50 * WORST_CASE_MICRO_USD,
      }),
    ).toEqual({ ok: true });

    const results = await Promise.all(Array.from({ length: 200 }, () => reserve(team)));

    const admitted = results.filter((result) => result.ok);
    const refused = results.flatMap((result) => (result.ok ? [] : [result.limit]));
    expect(admitted).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(new Set(refused.map((limit) => limit.name))).toEqual(new Set(["dollars_per_month"]));
    expect(refused.every((limit) => limit.remaining === 0)).toBe(true);

    const usage = await team.usage({
      fromDay: "2000-01-01",
      toDay: "2999-12-31",
      userId: undefined,
    });
    const dollars = usage.budgets.find((budget) => budget.name === "dollars_per_month");
    expect(dollars).toMatchObject({ limit: 500_000, used: 0, reserved: 500_000 });
  });

  it("settles to real usage, gives back the rest, and writes the ledger", async () => {
    const team = newTeam();
    await team.setLimitOverrides({ dollarsPerMonthMicroUsd: 2 * WORST_CASE_MICRO_USD });

    const first = await reserve(team);
    const second = await reserve(team);
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect((await reserve(team)).ok).toBe(false);
    if (!first.ok) throw new Error("first reservation refused");

    const cost = await team.settleGeneration({
      teamId: "t",
      reservationId: first.reservation.id,
      userId: "user-1",
      model: MODEL,
      usage: { inputTokens: 1_000, outputTokens: 500, cacheReadTokens: 0, cacheWriteTokens: 0 },
      failed: false,
    });
    expect(cost).toBe(1_500);
    // 20,000 budget − 1,500 used − 10,000 still reserved: no room for another worst case.
    expect((await reserve(team)).ok).toBe(false);

    const usage = await team.usage({
      fromDay: "2000-01-01",
      toDay: "2999-12-31",
      userId: "user-1",
    });
    expect(usage.rows).toEqual([
      expect.objectContaining({
        model: MODEL,
        userId: "user-1",
        inputTokens: 1_000,
        outputTokens: 500,
        costMicroUsd: 1_500,
        requests: 1,
        errors: 0,
      }),
    ]);
    expect(usage.scope).toBe("self");
  });

  it("raises the 80 % and 100 % alerts once each per period, and posts each to the webhook", async () => {
    const team = newTeam();
    const teamId = `alerts-${crypto.randomUUID()}`;
    await team.setLimitOverrides({ dollarsPerMonthMicroUsd: 10_000 });
    await team.setAlertWebhook(`${inject("budgetWebhookUrl")}/hook`);
    const settle = async (outputTokens: number) => {
      const reserved = await team.reserveGeneration({
        userId: "u",
        model: MODEL,
        promptTokens: 0,
        maxOutputTokens: 1,
      });
      if (!reserved.ok) throw new Error(`refused: ${reserved.limit.name}`);
      await team.settleGeneration({
        teamId,
        reservationId: reserved.reservation.id,
        userId: "u",
        model: MODEL,
        usage: { inputTokens: 0, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 },
        failed: false,
      });
    };

    await settle(7_000);
    expect((await usageOf(team)).alerts).toEqual([]);
    await settle(1_000);
    await settle(500);
    expect((await usageOf(team)).alerts.map((alert) => alert.threshold)).toEqual([80]);
    await settle(1_500);
    expect((await usageOf(team)).alerts.map((alert) => alert.threshold)).toEqual([80, 100]);
    await expect(settle(10)).rejects.toThrow("refused: dollars_per_month");

    const posted = async () => {
      const all = (await (await fetch(inject("budgetWebhookUrl"))).json()) as {
        teamId: string;
        threshold: number;
        budget: string;
      }[];
      return all.filter((alert) => alert.teamId === teamId);
    };
    await expect.poll(async () => (await posted()).length).toBe(2);
    expect((await posted()).map(({ threshold, budget }) => [budget, threshold])).toEqual([
      ["dollars_per_month", 80],
      ["dollars_per_month", 100],
    ]);
  });

  it("keeps admin overrides within the plan's ceiling", async () => {
    const team = newTeam();
    await team.setPlan("free");
    expect(
      await team.setLimitOverrides({ concurrentGenerations: 50, tokensPerDay: 1_000 }),
    ).toEqual({
      ok: false,
      aboveCeiling: ["concurrentGenerations"],
    });
    expect((await team.limitsView()).limits.tokensPerDay).toBe(200_000);
  });

  it("caps concurrent sandboxes and frees a slot on release", async () => {
    const team = newTeam();
    await team.setPlan("free");
    expect(await team.acquireSandboxSlot({ sandboxId: "a", userId: "u" })).toEqual({ ok: true });
    const refused = await team.acquireSandboxSlot({ sandboxId: "b", userId: "u" });
    expect(refused).toMatchObject({ ok: false, limit: { name: "concurrent_sandboxes", limit: 1 } });
    await team.releaseSandboxSlot("a");
    expect(await team.acquireSandboxSlot({ sandboxId: "b", userId: "u" })).toEqual({ ok: true });
  });
});

function usageOf(team: DurableObjectStub<TeamGateway>) {
  return team.usage({ fromDay: "2000-01-01", toDay: "2999-12-31", userId: undefined });
}

describe("L1: off by one at the limit (fake clock, the gateway's own window)", () => {
  const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

  function withStore(
    overrides: { requestsPerMinute: number },
    check: (reserveAt: (offsetMs: number) => ReturnType<QuotaStore["reserve"]>) => void,
  ) {
    return runInDurableObject(newTeam(), (_instance, state) => {
      const store = new QuotaStore(state.storage.sql, { requestWindowMs: 10_000 });
      store.setPlan("enterprise");
      store.setOverrides(overrides);
      check((offsetMs) =>
        store.reserve({
          userId: "u",
          model: MODEL,
          tokens: 1,
          costMicroUsd: 1,
          now: T0 + offsetMs,
        }),
      );
    });
  }

  it("1 per 10 s at t = 0, 1 s and 20 s: allowed, refused with Retry-After 9, allowed", async () => {
    await withStore({ requestsPerMinute: 1 }, (reserveAt) => {
      expect(reserveAt(0).ok).toBe(true);
      const refused = reserveAt(1_000);
      expect(refused).toMatchObject({
        ok: false,
        limit: { name: "requests_per_minute", limit: 1, remaining: 0, retryAfterSeconds: 9 },
      });
      if (!refused.ok) expect(refused.limit.resetAt).toBe(new Date(T0 + 10_000).toISOString());
      expect(reserveAt(20_000).ok).toBe(true);
    });
  });

  it("a limit of 5 admits exactly 5 of 6, and 1 ms either side of the boundary", async () => {
    await withStore({ requestsPerMinute: 5 }, (reserveAt) => {
      const outcomes = [0, 1, 2, 3, 4, 5].map((offset) => reserveAt(offset).ok);
      expect(outcomes).toEqual([true, true, true, true, true, false]);

      const justBefore = reserveAt(9_999);
      expect(justBefore).toMatchObject({
        ok: false,
        limit: { retryAfterSeconds: 1, remaining: 0 },
      });
      expect(reserveAt(10_000).ok).toBe(true);
      expect(reserveAt(10_001).ok).toBe(true);
    });
  });
});

describe("quotas kept in memory by their only writer (fake clock)", () => {
  const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
  const take = (store: QuotaStore, now: number, tokens = 1_000) =>
    store.reserve({ userId: "u", model: MODEL, tokens, costMicroUsd: 10, now });

  it("after a restart keeps what was spent and counted, and frees what the ended answers held", async () => {
    await runInDurableObject(newTeam(), (_instance, state) => {
      const before = new QuotaStore(state.storage.sql);
      before.setPlan("enterprise");
      before.setOverrides({ concurrentGenerations: 1, tokensPerDay: 10_000, requestsPerMinute: 3 });
      const first = take(before, T0);
      if (!first.ok) throw new Error("the first reservation was refused");
      before.settle({
        reservationId: first.reservation.id,
        usage: { inputTokens: 4_000, outputTokens: 1_000, cacheReadTokens: 0, cacheWriteTokens: 0 },
        costMicroUsd: 25,
        now: T0 + 1,
      });
      expect(take(before, T0 + 2).ok).toBe(true);
      expect(take(before, T0 + 3)).toMatchObject({
        ok: false,
        limit: { name: "concurrent_generations" },
      });

      before.saveRequestCount(); // as its timer does within a second
      // A new instance on the same storage, as after a deploy: the open answer ended with the
      // old one, so its room is free; the 5,000 tokens spent and the 2 requests counted remain.
      const after = new QuotaStore(state.storage.sql);
      expect(after.totals(T0 + 4)).toMatchObject({
        tokensToday: 5_000,
        costThisMonthMicroUsd: 25,
        openReservations: 0,
        reservedTokens: 0,
      });
      expect(take(after, T0 + 5, 5_001)).toMatchObject({
        ok: false,
        limit: { name: "tokens_per_day", remaining: 5_000 },
      });
      const third = take(after, T0 + 6);
      if (!third.ok) throw new Error("the third reservation was refused");
      expect(after.totals(T0 + 7).openReservations).toBe(1);
      after.release(third.reservation.id);
      // Two requests before the restart and one after: the window's 3 are used.
      expect(take(after, T0 + 8)).toMatchObject({
        ok: false,
        limit: { name: "requests_per_minute" },
      });
    });
  });

  it("writes a request count within a second even when nothing settles", async () => {
    const team = newTeam();
    await runInDurableObject(team, (_instance, state) => {
      const store = new QuotaStore(state.storage.sql);
      store.setPlan("enterprise");
      store.setOverrides({ requestsPerMinute: 1 });
      expect(take(store, T0).ok).toBe(true);
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await runInDurableObject(team, (_instance, state) => {
      expect(take(new QuotaStore(state.storage.sql), T0 + 1)).toMatchObject({
        ok: false,
        limit: { name: "requests_per_minute" },
      });
    });
  });

  it("gives back an unsettled reservation's room once it expires, and applies new limits at once", async () => {
    await runInDurableObject(newTeam(), (_instance, state) => {
      const store = new QuotaStore(state.storage.sql);
      store.setPlan("enterprise");
      store.setOverrides({ concurrentGenerations: 1, requestsPerMinute: 1_000 });
      expect(take(store, T0).ok).toBe(true);
      expect(take(store, T0 + RESERVATION_TTL_MS - 1)).toMatchObject({
        ok: false,
        limit: { name: "concurrent_generations" },
      });
      expect(take(store, T0 + RESERVATION_TTL_MS).ok).toBe(true);
      expect(store.totals(T0 + RESERVATION_TTL_MS).openReservations).toBe(1);

      store.setOverrides({ concurrentGenerations: 2, requestsPerMinute: 1_000 });
      expect(take(store, T0 + RESERVATION_TTL_MS + 1).ok).toBe(true);
    });
  });
});
