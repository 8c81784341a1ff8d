/**
 * The TeamGateway's SQLite modules in a real Durable Object: one small row
 * per idempotency key with a cap (case L4), breakers that survive in
 * storage, driven by a fake clock, and the prompt cache's index of what the
 * object stored in KV.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BREAKER_POLICY } from "../../durable-objects/breaker-policy.ts";
import { Breakers } from "../../durable-objects/breakers.ts";
import { AnswerCache } from "../../durable-objects/cache/answer-cache.ts";
import { PROMPT_CACHE_TTL_SECONDS } from "../../durable-objects/cache/prompt-cache.ts";
import { IdempotencyKeys, MAX_KEYS } from "../../durable-objects/idempotency.ts";

function stub() {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(crypto.randomUUID()));
}

describe("idempotency keys in SQLite (L4)", () => {
  it("keeps one row per key and drops the oldest finished ones beyond the cap", async () => {
    await runInDurableObject(stub(), (_, state) => {
      const keys = new IdempotencyKeys(state.storage.sql);
      const now = Date.now();
      for (let index = 0; index < MAX_KEYS + 200; index += 1) {
        const key = `key-${index}`;
        expect(keys.claim({ key, bodyHash: "h", now: now + index }).kind).toBe("new");
        keys.mark(key, "complete");
      }
      expect(keys.claim({ key: "key-5", bodyHash: "other", now }).kind).toBe("mismatch");

      const dropped = keys.prune(now + MAX_KEYS + 200);
      expect(dropped).toHaveLength(200);
      const [row] = state.storage.sql
        .exec<{ n: number }>("select count(*) as n from idempotency_keys")
        .toArray();
      expect(row?.n).toBe(MAX_KEYS);
      expect(keys.find("key-0", now)).toBeNull();
      expect(keys.find(`key-${MAX_KEYS + 199}`, now)?.status).toBe("complete");
    });
  });
});

describe("breakers in SQLite (fake clock)", () => {
  it("open, stay open across a new module instance, and half-open after the cooldown", async () => {
    await runInDurableObject(stub(), (_, state) => {
      let now = 1_000;
      const make = () => new Breakers(state.storage.sql, { clock: () => now, teamId: () => "t" });
      const breakers = make();
      for (let call = 0; call < BREAKER_POLICY.minCalls; call += 1) breakers.record("p", false);
      expect(breakers.admit("p").allowed).toBe(false);

      // A new instance (the object was evicted) reads the same state.
      const again = make();
      expect(again.list()[0]?.state).toBe("open");
      now += BREAKER_POLICY.cooldownMs;
      expect(again.admit("p").allowed).toBe(true);
      expect(again.list()[0]?.state).toBe("half_open");
      again.record("p", true);
      expect(again.list()[0]?.state).toBe("closed");
    });
  });

  it("a stopped trial gives the trial back: the next call is the trial, not another cooldown", async () => {
    await runInDurableObject(stub(), (_, state) => {
      let now = 1_000;
      const breakers = new Breakers(state.storage.sql, { clock: () => now, teamId: () => "t" });
      for (let call = 0; call < BREAKER_POLICY.minCalls; call += 1) breakers.record("q", false);
      now += BREAKER_POLICY.cooldownMs;

      const trial = breakers.admit("q");
      expect(trial.allowed).toBe(true);
      expect(trial.trial).toBe(now);
      expect(breakers.admit("q").allowed).toBe(false);
      const running = breakers.list().find((breaker) => breaker.provider === "q");
      expect(running?.reopensAt).toBe(new Date(now + BREAKER_POLICY.cooldownMs).toISOString());

      now += 1_000;
      breakers.release("q", trial.trial ?? -1);
      const released = breakers.list().find((breaker) => breaker.provider === "q");
      expect(released).toMatchObject({ state: "half_open", reopensAt: null });
      const next = breakers.admit("q");
      expect(next).toEqual({ allowed: true, trial: now });

      // A stale release (the first trial's) does not free the second one.
      breakers.release("q", trial.trial ?? -1);
      expect(breakers.admit("q").allowed).toBe(false);
    });
  });
});

describe("the prompt cache's index in SQLite, over KV", () => {
  const answer = (text: string) => ({ text, finishReason: "stop", createdAt: "2026-12-04" });

  it("serves what it stored, from memory and, after an eviction, from KV", async () => {
    await runInDurableObject(stub(), async (_, state) => {
      const key = `cache:v1:test:${crypto.randomUUID()}`;
      const now = Date.now();
      await new AnswerCache(state.storage.sql, env.KILN_KV).write(key, answer("hello"), now);
      expect(await env.KILN_KV.get(key, "json")).toMatchObject({ text: "hello" });

      // A new instance has nothing in memory, as after the object was evicted.
      const afterEviction = new AnswerCache(state.storage.sql, env.KILN_KV);
      expect(await afterEviction.read(key, now + 1)).toMatchObject({ text: "hello" });
      // Past the KV entry's lifetime, it is a miss.
      const ttlMs = PROMPT_CACHE_TTL_SECONDS * 1000;
      expect(await afterEviction.read(key, now + ttlMs + 1)).toBeNull();
    });
  });

  it("answers a prompt it never stored as a miss, and drops a key KV lost", async () => {
    await runInDurableObject(stub(), async (_, state) => {
      const cache = new AnswerCache(state.storage.sql, env.KILN_KV);
      const now = Date.now();
      // Only this team's object writes its team's keys: an entry it did not store is not asked for.
      const foreign = `cache:v1:test:${crypto.randomUUID()}`;
      await env.KILN_KV.put(foreign, JSON.stringify(answer("not ours")));
      expect(await cache.read(foreign, now)).toBeNull();

      const lost = `cache:v1:test:${crypto.randomUUID()}`;
      await cache.write(lost, answer("x".repeat(600_000)), now);
      await env.KILN_KV.delete(lost);
      // Too long to hold in memory, so it is read from KV, which no longer has it.
      expect(await cache.read(lost, now)).toBeNull();
      const [row] = state.storage.sql
        .exec<{ n: number }>("select count(*) as n from prompt_cache_entries where key = ?", lost)
        .toArray();
      expect(row?.n).toBe(0);
    });
  });
});
