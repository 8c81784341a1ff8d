/**
 * The fault suite: each simulator fault through the whole path (Worker,
 * TeamGateway, SDK adapter, simulator), asserting what the client receives,
 * how many upstream calls were made, which target served, the breaker state
 * and the recorded usage.
 */
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { BREAKER_POLICY } from "../../durable-objects/breaker-policy.ts";
import { joinedText } from "../support/sse.ts";
import {
  breakerOf,
  chat,
  lastUsage,
  marker,
  metaOf,
  newTag,
  readChatEvents,
  savedAnswer,
  setRouting,
  simCalls,
  TWO_TARGETS,
  target,
} from "./gateway-helpers.ts";
import { BASE, readError, signIn } from "./helpers.ts";

beforeEach(async () => {
  await setRouting(TWO_TARGETS);
});

describe("faults before the first byte: retry, then fall back", () => {
  it.each([
    // fault, times, upstream calls [openai, anthropic], serving target
    ["rate-limit", 1, [2, 0], "simulator-openai"],
    ["rate-limit-bare", 0, [2, 1], "simulator-anthropic"],
    ["server-error", 0, [2, 1], "simulator-anthropic"],
    ["unavailable", 1, [2, 0], "simulator-openai"],
    ["overloaded", 0, [2, 1], "simulator-anthropic"],
    ["reset", 0, [2, 1], "simulator-anthropic"],
    ["no-response", 0, [2, 1], "simulator-anthropic"],
    ["slow-first-token", 0, [2, 1], "simulator-anthropic"],
    ["overloaded-in-stream", 0, [2, 1], "simulator-anthropic"],
    ["sse-error-body", 0, [2, 1], "simulator-anthropic"],
    ["flap", 0, [2, 0], "simulator-openai"],
  ] as const)("%s (times=%s)", async (fault, times, [openaiCalls, anthropicCalls], served) => {
    const session = await signIn();
    const tag = newTag();
    const fields = { fault, on: "openai", tag, ...(times > 0 ? { times } : {}) };
    const response = await chat(session.access_token, `a counter ${marker(fields)}`);

    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    const meta = metaOf(events);
    expect(meta.provider).toBe(served);
    expect(meta.fallbackUsed).toBe(served !== "simulator-openai");
    expect(events.at(-1)?.event.type).toBe("done");
    // The good answer exactly once, never a failed attempt's text.
    expect(events.filter(({ event }) => event.type === "meta")).toHaveLength(1);
    expect(joinedText(events)).toContain("path=src/App.tsx");

    const calls = await simCalls(tag);
    expect(calls.filter((call) => call.protocol === "openai")).toHaveLength(openaiCalls);
    expect(calls.filter((call) => call.protocol === "anthropic")).toHaveLength(anthropicCalls);

    const breaker = await breakerOf(session.team_id, "simulator-openai");
    expect(breaker?.state).toBe("closed");
    expect(breaker?.failures).toBe(served === "simulator-openai" ? 1 : 2);

    const saved = await savedAnswer(session.access_token, meta.conversationId);
    expect(saved).toMatchObject({
      status: "complete",
      provider: served,
      fallbackUsed: meta.fallbackUsed,
    });
    expect(saved.usage?.outputTokens).toBeGreaterThan(5);
  });
});

describe("faults that no other target would fix", () => {
  it("context-length: one call, a 413 with a hint, no fallback", async () => {
    const session = await signIn();
    const tag = newTag();
    const response = await chat(
      session.access_token,
      `hi ${marker({ fault: "context-length", tag })}`,
    );
    expect(response.status).toBe(413);
    const error = await readError(response);
    expect(error.code).toBe("context_too_long");
    expect(error.hint).toBeTruthy();
    expect(await simCalls(tag)).toHaveLength(1);
    // The provider is healthy: a too-long prompt is not its fault.
    expect((await breakerOf(session.team_id, "simulator-openai"))?.failures ?? 0).toBe(0);
  });

  it("sse-error-body on the only target: one structured error, never a dropped socket (S2b)", async () => {
    await setRouting([target("simulator-openai", { retries: 0 })]);
    const session = await signIn();
    const tag = newTag();
    const response = await chat(
      session.access_token,
      `hi ${marker({ fault: "sse-error-body", tag })}`,
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    const error = await readError(response);
    expect(error.code).toBe("provider_unavailable");
    // Kiln's words, not the provider's body.
    expect(error.message).toBe("The model providers are busy or unreachable.");
    expect(JSON.stringify(error)).not.toContain("Upstream failed");
    expect(await simCalls(tag)).toHaveLength(1);
  });
});

describe("faults after the first byte: an error event, never a finished answer", () => {
  it.each([
    ["cut", "stream_interrupted"],
    ["stall", "stream_interrupted"],
    ["malformed", "stream_interrupted"],
    ["no-terminator", "stream_interrupted"],
    ["overloaded-after-deltas", "stream_interrupted"],
    ["content-filter", "content_filtered"],
  ] as const)("%s", async (fault, code) => {
    const session = await signIn();
    const tag = newTag();
    const response = await chat(session.access_token, `a counter ${marker({ fault, tag })}`);
    expect(response.status).toBe(200);

    const events = await readChatEvents(response);
    const types = events.map(({ event }) => event.type);
    expect(types).not.toContain("done");
    expect(types.at(-1)).toBe("error");
    const last = events.at(-1)?.event;
    expect(last?.type === "error" && last.code).toBe(code);
    // The partial text arrived, and nothing was retried (it would repeat).
    expect(types.filter((type) => type === "delta").length).toBeGreaterThanOrEqual(1);
    expect(await simCalls(tag)).toHaveLength(1);
    expect(metaOf(events).provider).toBe("simulator-openai");

    const breaker = await breakerOf(session.team_id, "simulator-openai");
    expect(breaker?.failures).toBe(fault === "content-filter" ? 0 : 1);

    const saved = await savedAnswer(session.access_token, metaOf(events).conversationId);
    expect(saved.status).toBe("error");
    expect(saved.content).toBe(joinedText(events));
    // Partial usage is recorded: reported, or estimated from the text.
    expect(saved.usage?.outputTokens).toBeGreaterThan(0);
    expect(saved.usage).toEqual(lastUsage(events));
  });

  it("overloaded after deltas on Anthropic keeps the reported prompt usage and bills the text that arrived (S4b)", async () => {
    await setRouting([target("simulator-anthropic"), target("simulator-openai")]);
    const session = await signIn();
    const tag = newTag();
    const response = await chat(
      session.access_token,
      `a counter ${marker({ fault: "overloaded-after-deltas", tag })}`,
    );
    const events = await readChatEvents(response);
    expect(events.at(-1)?.event.type).toBe("error");
    expect(await simCalls(tag)).toHaveLength(1);
    // message_start reported the prompt and one output token, counted before any text: the
    // text that arrived before the cut is billed at least as estimated (four characters a token).
    const text = joinedText(events);
    expect(text.length).toBeGreaterThan(8);
    expect(lastUsage(events)?.outputTokens).toBe(Math.ceil(text.length / 4));
    expect(lastUsage(events)?.inputTokens).toBeGreaterThan(100);
    expect((await breakerOf(session.team_id, "simulator-anthropic"))?.failures).toBe(1);
  });
});

describe("circuit breakers", () => {
  it("opens after repeated failures, then skips the primary without calling it", async () => {
    await setRouting([target("simulator-openai", { retries: 0 }), target("simulator-anthropic")]);
    const session = await signIn();
    const tag = newTag();
    const message = `a counter ${marker({ fault: "server-error", on: "openai", tag })}`;

    for (let turn = 0; turn < 5; turn += 1) {
      const events = await readChatEvents(await chat(session.access_token, message));
      expect(metaOf(events).provider).toBe("simulator-anthropic");
    }
    expect((await breakerOf(session.team_id, "simulator-openai"))?.state).toBe("open");

    const events = await readChatEvents(await chat(session.access_token, message));
    expect(metaOf(events)).toMatchObject({ provider: "simulator-anthropic", fallbackUsed: true });
    const calls = await simCalls(tag);
    expect(calls.filter((call) => call.protocol === "openai")).toHaveLength(5);
  });

  it("fails fast with a Retry-After when every target's breaker is open", async () => {
    await setRouting([
      target("simulator-openai", { retries: 0 }),
      target("simulator-anthropic", { retries: 0 }),
    ]);
    const session = await signIn();
    const tag = newTag();
    const message = `hi ${marker({ fault: "server-error", tag })}`;
    for (let turn = 0; turn < 5; turn += 1) {
      expect((await chat(session.access_token, message)).status).toBe(503);
    }
    const before = (await simCalls(tag)).length;

    const response = await chat(session.access_token, message);
    expect(response.status).toBe(503);
    const error = await readError(response);
    expect(error.code).toBe("provider_unavailable");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await simCalls(tag)).length).toBe(before);
  });
});

describe("a stopped half-open trial", () => {
  it("gives the trial back: the next request is the trial and closes the breaker", async () => {
    await setRouting([target("simulator-openai", { retries: 0 }), target("simulator-anthropic")]);
    const session = await signIn();
    const failing = `a counter ${marker({ fault: "server-error", on: "openai", tag: newTag() })}`;
    for (let turn = 0; turn < BREAKER_POLICY.minCalls; turn += 1) {
      await readChatEvents(await chat(session.access_token, failing));
    }
    expect((await breakerOf(session.team_id, "simulator-openai"))?.state).toBe("open");

    // The cooldown passes (the breaker's clock is the object's; move its opening back).
    const gateway = env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(session.team_id));
    await runInDurableObject(gateway, (_, state) => {
      state.storage.sql.exec(
        "update provider_breakers set opened_at = opened_at - ? where provider = ?",
        BREAKER_POLICY.cooldownMs,
        "simulator-openai",
      );
    });

    // The trial starts streaming, and the user stops it.
    const key = crypto.randomUUID();
    const slow = await chat(
      session.access_token,
      `a counter ${marker({ "chunk-ms": 40, tag: newTag() })}`,
      { "idempotency-key": key },
    );
    expect(slow.headers.get("content-type")).toContain("text/event-stream");
    const reader = slow.body?.getReader();
    await reader?.read();
    const stop = await SELF.fetch(`${BASE}/api/chat/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.access_token}`, "idempotency-key": key },
    });
    expect(await stop.json()).toEqual({ stopped: true });
    while (!(await reader?.read())?.done) {}
    const stopped = await savedAnswer(
      session.access_token,
      slow.headers.get("x-conversation-id") ?? "",
    );
    expect(stopped).toMatchObject({ status: "aborted", provider: "simulator-openai" });

    // Neither a success nor a failure: half-open with the trial free, nothing to wait for.
    expect(await breakerOf(session.team_id, "simulator-openai")).toMatchObject({
      state: "half_open",
      reopensAt: null,
    });
    const tag = newTag();
    const next = await readChatEvents(
      await chat(session.access_token, `a counter ${marker({ tag })}`),
    );
    expect(metaOf(next)).toMatchObject({ provider: "simulator-openai", fallbackUsed: false });
    expect((await breakerOf(session.team_id, "simulator-openai"))?.state).toBe("closed");
  });
});

describe("routing switches", () => {
  it("a disabled provider is skipped on the next request, without a deploy", async () => {
    await setRouting(TWO_TARGETS, { disabledProviders: ["simulator-openai"] });
    const session = await signIn();
    const tag = newTag();
    const events = await readChatEvents(
      await chat(session.access_token, `a counter ${marker({ tag })}`),
    );
    expect(metaOf(events)).toMatchObject({ provider: "simulator-anthropic", fallbackUsed: true });
    expect((await simCalls(tag)).map((call) => call.protocol)).toEqual(["anthropic"]);
    const saved = await savedAnswer(session.access_token, metaOf(events).conversationId);
    expect(saved).toMatchObject({ provider: "simulator-anthropic", fallbackUsed: true });
  });
});
