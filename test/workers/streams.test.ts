/**
 * Cases S1–S7 and L3 through the whole path, plus resuming with
 * Last-Event-ID, keep-alives and the headers that keep proxies from
 * buffering the stream.
 */
import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { ConversationResponse } from "../../contract/api.ts";
import { joinedText } from "../support/sse.ts";
import {
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
import { api, BASE, readError, signIn } from "./helpers.ts";

beforeEach(async () => {
  await setRouting(TWO_TARGETS);
});

/** Picks the counter app (it does not echo the prompt, whose marker differs per call). */
const COUNTER = "a counter for “José” 🚀";

describe("streams (S1–S6)", () => {
  it("S1: the same text and usage wherever the upstream bytes are split", async () => {
    const session = await signIn();
    const whole = await readChatEvents(
      await chat(session.access_token, `${COUNTER} ${marker({ tag: newTag() })}`),
    );
    for (const split of [1, 3]) {
      const events = await readChatEvents(
        await chat(session.access_token, `${COUNTER} ${marker({ split, tag: newTag() })}`),
      );
      expect(joinedText(events)).not.toContain("\uFFFD");
      expect(joinedText(events).replace(/split=\d/, "")).toBe(
        joinedText(whole).replace(/split=\d/, ""),
      );
      expect(lastUsage(events)?.outputTokens).toBe(lastUsage(whole)?.outputTokens);
    }
  });

  it("S2a: `data: [DONE]` after an Anthropic message_stop is not parsed as JSON", async () => {
    await setRouting([target("simulator-anthropic", { retries: 0 })]);
    const session = await signIn();
    const tag = newTag();
    const events = await readChatEvents(
      await chat(session.access_token, `a counter ${marker({ fault: "done-after-stop", tag })}`),
    );
    expect(events.at(-1)?.event.type).toBe("done");
    expect(await simCalls(tag)).toHaveLength(1);
  });

  it("S3: pings and an unknown event carrying usage are skipped", async () => {
    await setRouting([target("simulator-anthropic", { retries: 0 })]);
    const session = await signIn();
    const events = await readChatEvents(
      await chat(
        session.access_token,
        `a counter ${marker({ fault: "unknown-event", tag: newTag() })}`,
      ),
    );
    expect(events.at(-1)?.event.type).toBe("done");
    // The unknown event's 999 output tokens are not taken as usage.
    expect(lastUsage(events)?.outputTokens).toBeLessThan(999);
    expect(joinedText(events)).toContain("path=src/App.tsx");
  });

  it.each(["usage-choices-null", "usage-choices-absent", "empty-choices-first"])(
    "S5: usage in a %s chunk shape reaches the ledger",
    async (fault) => {
      await setRouting([target("simulator-openai", { retries: 0 })]);
      const session = await signIn();
      const plain = await readChatEvents(
        await chat(session.access_token, `a counter ${marker({ tag: newTag() })}`),
      );
      const events = await readChatEvents(
        await chat(session.access_token, `a counter ${marker({ fault, tag: newTag() })}`),
      );
      expect(events.at(-1)?.event.type).toBe("done");
      expect(lastUsage(events)?.outputTokens).toBe(lastUsage(plain)?.outputTokens);
      const saved = await savedAnswer(session.access_token, metaOf(events).conversationId);
      expect(saved.usage).toEqual(lastUsage(events));
    },
  );

  it("S6: Anthropic cache reads counted once, output is the last running total", async () => {
    await setRouting([target("simulator-anthropic", { retries: 0 })]);
    const session = await signIn();
    const events = await readChatEvents(
      await chat(
        session.access_token,
        `a counter ${marker({ fault: "cache-read", tag: newTag() })}`,
      ),
    );
    const deltas = events.filter(({ event }) => event.type === "delta").length;
    // One token per streamed piece: the total, not the total plus message_start's 1.
    expect(lastUsage(events)).toMatchObject({ cacheReadTokens: 2455, outputTokens: deltas });
  });
});

describe("the browser goes away (S7) and Stop", () => {
  it("aborts the upstream call after the grace period and records the partial usage", async () => {
    const session = await signIn();
    const tag = newTag();
    const response = await chat(
      session.access_token,
      `a counter ${marker({ "chunk-ms": 40, tag })}`,
    );
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    const cancelledAt = Date.now();

    let call = (await simCalls(tag))[0];
    while (call?.closedAt === null && Date.now() - cancelledAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      call = (await simCalls(tag))[0];
    }
    expect(call?.completed).toBe(false);
    // Grace (400 ms in tests) plus about 2 s at most.
    expect((call?.closedAt ?? Number.POSITIVE_INFINITY) - cancelledAt).toBeLessThan(2_400);

    const conversationId = response.headers.get("x-conversation-id") ?? "";
    const saved = await savedAnswer(session.access_token, conversationId);
    expect(saved.status).toBe("aborted");
    expect(saved.usage?.inputTokens).toBeGreaterThan(0);
  });

  it("Stop aborts at once, without waiting for the grace period", async () => {
    const session = await signIn();
    const tag = newTag();
    const key = crypto.randomUUID();
    const response = await chat(
      session.access_token,
      `a counter ${marker({ "chunk-ms": 40, tag })}`,
      {
        "idempotency-key": key,
      },
    );
    const reader = response.body?.getReader();
    await reader?.read();

    const stop = await SELF.fetch(`${BASE}/api/chat/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.access_token}`, "idempotency-key": key },
    });
    expect(await stop.json()).toEqual({ stopped: true });

    let text = "";
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    expect(text).toContain("event: error");
    expect(text).toContain("answer_stopped");
    expect(text).not.toContain("event: done");
    const saved = await savedAnswer(
      session.access_token,
      response.headers.get("x-conversation-id") ?? "",
    );
    expect(saved.status).toBe("aborted");
  });
});

describe("a long answer stopped before the provider reported usage", () => {
  it("is charged an estimate no larger than the output cap it was asked for", async () => {
    const session = await signIn();
    const key = crypto.randomUUID();
    // 16 KB pieces every 20 ms: past 8,192 tokens' worth of text (about 32 KB) within 60 ms.
    const shape = { pieces: 200, pieceBytes: 16_384, firstTokenMs: 0, chunkMs: 20 };
    const response = await chat(session.access_token, `kiln-bench ${JSON.stringify(shape)}`, {
      "idempotency-key": key,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    while (received < 64 * 1024) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += chunk.value.byteLength;
    }
    const stop = await SELF.fetch(`${BASE}/api/chat/stop`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.access_token}`, "idempotency-key": key },
    });
    expect(await stop.json()).toEqual({ stopped: true });
    let text = "";
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    expect(text).toContain("answer_stopped");
    const usage = /event: usage\ndata: (.*)\n/.exec(text)?.[1];
    const outputTokens = (JSON.parse(usage ?? "{}") as { usage?: { outputTokens?: number } }).usage
      ?.outputTokens;
    // 8,192: the gateway's max_tokens; four characters a token would say more than 16,000.
    expect(outputTokens).toBe(8_192);
  });
});

describe("resuming with Last-Event-ID", () => {
  it("continues after the last seen event, without gaps or duplicates", async () => {
    const session = await signIn();
    const key = crypto.randomUUID();
    const message = `a counter ${marker({ "chunk-ms": 15, tag: newTag() })}`;
    const first = await chat(session.access_token, message, { "idempotency-key": key });
    const full: string[] = [];
    const reader = first.body?.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (!/id: 4\n/.test(buffered)) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      buffered += chunk.value;
    }
    await reader?.cancel();
    const seen = [...buffered.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    const lastSeen = Math.max(...seen.filter((id) => id <= 4));
    full.push(String(lastSeen));

    const resumed = await chat(session.access_token, message, {
      "idempotency-key": key,
      "last-event-id": String(lastSeen),
    });
    expect(resumed.status).toBe(200);
    const rest = await readChatEvents(resumed);
    expect(Number(rest[0]?.id)).toBe(lastSeen + 1);
    const ids = rest.map(({ id }) => Number(id));
    expect(ids).toEqual(ids.map((_, index) => lastSeen + 1 + index));
    expect(rest.at(-1)?.event.type).toBe("done");
  });
});

describe("idempotency (L3)", () => {
  it("one upstream call for simultaneous duplicates; 422 for another body; a marked replay after", async () => {
    const session = await signIn();
    const key = crypto.randomUUID();
    const tag = newTag();
    const message = `a counter ${marker({ "chunk-ms": 10, tag })}`;
    const headers = { "idempotency-key": key };

    const [a, b] = await Promise.all([
      chat(session.access_token, message, headers),
      chat(session.access_token, message, headers),
    ]);
    const other = await chat(session.access_token, "another body", headers);
    expect(other.status).toBe(422);
    expect((await readError(other)).code).toBe("idempotency_key_reused");

    const [eventsA, eventsB] = await Promise.all([readChatEvents(a), readChatEvents(b)]);
    expect(joinedText(eventsA)).toBe(joinedText(eventsB));
    expect(eventsB.at(-1)?.event.type).toBe("done");

    const replay = await chat(session.access_token, message, headers);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const replayed = await readChatEvents(replay);
    expect(metaOf(replayed).replay).toBe(true);
    expect(joinedText(replayed)).toBe(joinedText(eventsA));
    expect((await chat(session.access_token, "another body", headers)).status).toBe(422);
    expect(await simCalls(tag)).toHaveLength(1);

    // Only one user message was saved for the three requests (once the queued writes land).
    await savedAnswer(session.access_token, metaOf(eventsA).conversationId);
    const conversation = await SELF.fetch(
      `${BASE}/api/conversations/${metaOf(eventsA).conversationId}`,
      {
        headers: { authorization: `Bearer ${session.access_token}` },
      },
    );
    const { messages } = (await conversation.json()) as { messages: { role: string }[] };
    expect(messages.map((item) => item.role)).toEqual(["user", "assistant"]);

    // Keys are per team: the same key elsewhere is a new answer.
    const stranger = await signIn();
    const elsewhere = await readChatEvents(await chat(stranger.access_token, message, headers));
    expect(metaOf(elsewhere).replay).toBeUndefined();
    expect(await simCalls(tag)).toHaveLength(2);
  });

  it("50 simultaneous duplicates of one key make exactly one upstream call", async () => {
    const session = await signIn();
    const key = crypto.randomUUID();
    const tag = newTag();
    const message = `a counter ${marker({ tag })}`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        chat(session.access_token, message, { "idempotency-key": key }),
      ),
    );
    const texts = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(200);
        return joinedText(await readChatEvents(response));
      }),
    );
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain("path=src/App.tsx");
    expect(await simCalls(tag)).toHaveLength(1);
  });

  it("refuses a malformed key", async () => {
    const session = await signIn();
    const response = await chat(session.access_token, "hi", { "idempotency-key": "short" });
    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe("invalid_idempotency_key");
  });
});

describe("the SSE response", () => {
  it("is never compressed or buffered, and carries keep-alive comments on long silences", async () => {
    const session = await signIn();
    const response = await chat(
      session.access_token,
      `a counter ${marker({ "chunk-ms": 300, tag: newTag() })}`,
      {
        "accept-encoding": "gzip, br",
      },
    );
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("cache-control")).toContain("no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("content-encoding")).toBeNull();

    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keep-alive")) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += chunk.value;
    }
    await reader?.cancel();
    expect(text).toContain(": keep-alive\n\n");

    // The cancelled answer is aborted after the grace period and saved as such.
    const saved = await savedAnswer(
      session.access_token,
      response.headers.get("x-conversation-id") ?? "",
    );
    expect(saved.status).toBe("aborted");
  });
});

describe("Last-Event-ID on a key the object does not know", () => {
  it("starts a new answer and sends all of it, meta first", async () => {
    const session = await signIn();
    const response = await chat(session.access_token, `a counter ${marker({ tag: newTag() })}`, {
      "idempotency-key": crypto.randomUUID(),
      "last-event-id": "5",
    });
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    expect(events[0]?.event.type).toBe("meta");
    const ids = events.map(({ id }) => Number(id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    expect(events.at(-1)?.event.type).toBe("done");
  });
});

describe("an answer longer than a saved message holds", () => {
  it("streams whole, and history keeps its start marked as cut", async () => {
    const session = await signIn();
    // 12 pieces of 16 KB: 196,608 characters, past the 100,000 bytes one queue message keeps.
    const shape = { pieces: 12, pieceBytes: 16_384, firstTokenMs: 0, chunkMs: 0 };
    const response = await chat(session.access_token, `kiln-bench ${JSON.stringify(shape)}`);
    const events = await readChatEvents(response);
    expect(events.at(-1)?.event.type).toBe("done");
    const streamed = joinedText(events);
    expect(streamed).toHaveLength(12 * 16_384);

    const saved = await savedAnswer(session.access_token, metaOf(events).conversationId);
    expect(saved.status).toBe("complete");
    expect(saved.contentTruncated).toBe(true);
    expect(saved.content.length).toBeGreaterThan(90_000);
    expect(saved.content.length).toBeLessThanOrEqual(100_000);
    expect(streamed.startsWith(saved.content)).toBe(true);
  });

  it("an answer that fits is saved whole and not marked", async () => {
    const session = await signIn();
    const events = await readChatEvents(
      await chat(session.access_token, `${COUNTER} ${marker({ tag: newTag() })}`),
    );
    const saved = await savedAnswer(session.access_token, metaOf(events).conversationId);
    expect(saved.content).toBe(joinedText(events));
    expect(saved.contentTruncated).toBe(false);
  });
});

describe("a message whose attachments are larger than a saved message holds", () => {
  it("is answered, and history keeps its start marked as cut", async () => {
    const session = await signIn();
    const tag = newTag();
    // 300 KB of code in two files: a queue message (128 KB) cannot carry it, and the chat failed
    // with 503 because of that.
    const content = "const value = 1;\n".repeat(8_800);
    const response = await chat(
      session.access_token,
      `${COUNTER} ${marker({ tag })}`,
      {},
      {
        attachments: [
          { path: "src/big.ts", content },
          { path: "src/other.ts", content },
        ],
      },
    );
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    expect(events.at(-1)?.event.type).toBe("done");

    const conversationId = metaOf(events).conversationId;
    await savedAnswer(session.access_token, conversationId);
    const history = (await (
      await api(`/api/conversations/${conversationId}`, { token: session.access_token })
    ).json()) as ConversationResponse;
    const question = history.messages.find((message) => message.role === "user");
    expect(question?.contentTruncated).toBe(true);
    const saved = question?.attachments?.[0]?.content ?? "";
    expect(saved.length).toBeGreaterThan(50_000);
    expect(saved.length).toBeLessThan(content.length);
    expect(content.startsWith(saved)).toBe(true);
  });
});

describe("a client that reads slower than the model writes", () => {
  it("falls behind, then reads the rest from the log in order, to the end", async () => {
    const session = await signIn();
    // 64 pieces of 16 KB at once: 1 MB, four times what a client's stream holds unread.
    const shape = { pieces: 64, pieceBytes: 16_384, firstTokenMs: 0, chunkMs: 0 };
    const response = await chat(session.access_token, `kiln-bench ${JSON.stringify(shape)}`);
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // The whole answer is produced while this client reads nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const rest = new ReadableStream<Uint8Array>({
      start(controller) {
        if (first.value) controller.enqueue(first.value);
      },
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });

    const events = await readChatEvents(new Response(rest));
    const ids = events.map(({ id }) => Number(id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    expect(events.at(-1)?.event.type).toBe("done");
    expect(joinedText(events)).toHaveLength(64 * 16_384);
  });
});
