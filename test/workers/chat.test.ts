/**
 * A chat turn end to end inside workerd: the Worker authenticates and
 * records the turn, the team's TeamGateway calls the provider simulator
 * through the OpenAI SDK, and the answer streams back as SSE and is saved.
 */
import { describe, expect, it } from "vitest";
import { parseCodeAnswer } from "../../contract/code-format.ts";
import { joinedText, readChatEvents } from "../support/sse.ts";
import { api, readError, signIn, waitForMessages } from "./helpers.ts";

describe("POST /api/chat", () => {
  it("streams meta, text, usage and done, then keeps the turn in history", async () => {
    const session = await signIn();
    const response = await api("/api/chat", {
      token: session.access_token,
      body: { message: "Build me a React counter" },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = await readChatEvents(response);

    const types = events.map(({ event }) => event.type);
    expect(types[0]).toBe("meta");
    expect(types.at(-1)).toBe("done");
    expect(types).toContain("usage");
    expect(types.filter((type) => type === "delta").length).toBeGreaterThan(5);
    expect(events.map(({ id }) => Number(id))).toEqual(events.map((_, index) => index + 1));

    const meta = events[0]?.event;
    if (meta?.type !== "meta") throw new Error("first event is not meta");
    expect(meta).toMatchObject({
      provider: "simulator-openai",
      simulated: true,
      fallbackUsed: false,
    });

    const text = joinedText(events);
    expect(text).not.toContain("\uFFFD");
    const answer = parseCodeAnswer(text);
    expect(answer.template).toBe("react");
    expect(answer.files.map((file) => file.path)).toContain("src/App.tsx");

    const saved = await waitForMessages({
      token: session.access_token,
      conversationId: meta.conversationId,
      count: 2,
    });
    if (!saved) throw new Error("the conversation was never saved");
    expect(saved.messages.map((message) => [message.role, message.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect(saved.messages[1]?.content).toBe(text);
    expect(saved.messages[1]?.usage?.outputTokens).toBeGreaterThan(0);

    const list = await api("/api/conversations", { token: session.access_token });
    const { conversations } = (await list.json()) as { conversations: { id: string }[] };
    expect(conversations.map((conversation) => conversation.id)).toContain(meta.conversationId);
  });

  it("continues a conversation with its history", async () => {
    const session = await signIn();
    const first = await readChatEvents(
      await api("/api/chat", { token: session.access_token, body: { message: "a to-do list" } }),
    );
    const meta = first[0]?.event;
    if (meta?.type !== "meta") throw new Error("first event is not meta");
    await waitForMessages({
      token: session.access_token,
      conversationId: meta.conversationId,
      count: 2,
    });

    const second = await api("/api/chat", {
      token: session.access_token,
      body: { message: "now a counter", conversationId: meta.conversationId },
    });
    const events = await readChatEvents(second);
    expect(events.at(-1)?.event.type).toBe("done");
    const usage = events.find(({ event }) => event.type === "usage")?.event;
    const firstUsage = first.find(({ event }) => event.type === "usage")?.event;
    if (usage?.type !== "usage" || firstUsage?.type !== "usage") throw new Error("no usage");
    // The second prompt carries the first answer, so it is larger.
    expect(usage.usage.inputTokens).toBeGreaterThan(firstUsage.usage.inputTokens + 100);

    const history = await waitForMessages({
      token: session.access_token,
      conversationId: meta.conversationId,
      count: 4,
    });
    expect(history?.messages).toHaveLength(4);
  });

  it("includes a saved code selection in the prompt", async () => {
    const session = await signIn();
    const saved = await api("/api/context", {
      token: session.access_token,
      body: {
        path: "src/App.tsx",
        content: "const marker = 1;\n".repeat(400),
        startLine: 3,
        endLine: 402,
      },
    });
    expect(saved.status).toBe(201);
    const { id, expiresAt } = (await saved.json()) as { id: string; expiresAt: string };
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const withContext = await readChatEvents(
      await api("/api/chat", {
        token: session.access_token,
        body: { message: "explain this", contextIds: [id] },
      }),
    );
    const without = await readChatEvents(
      await api("/api/chat", { token: session.access_token, body: { message: "explain this" } }),
    );
    const inputOf = (events: typeof without) => {
      const usage = events.find(({ event }) => event.type === "usage")?.event;
      return usage?.type === "usage" ? usage.usage.inputTokens : 0;
    };
    // 400 lines of 18 characters is about 1,800 tokens more.
    expect(inputOf(withContext) - inputOf(without)).toBeGreaterThan(1_500);
  });

  it("refuses an unknown selection before calling the model", async () => {
    const session = await signIn();
    const response = await api("/api/chat", {
      token: session.access_token,
      body: { message: "explain", contextIds: [crypto.randomUUID()] },
    });
    expect(response.status).toBe(422);
    expect((await readError(response)).code).toBe("context_not_found");
  });

  it.each([
    ["an empty message", { message: "   " }],
    ["a message over the limit", { message: "x".repeat(32_001) }],
    ["a bad conversation id", { message: "hi", conversationId: "42" }],
    ["an unknown template", { message: "hi", template: "cobol" }],
  ])("refuses %s with invalid_body", async (_, body) => {
    const session = await signIn();
    const response = await api("/api/chat", { token: session.access_token, body });
    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe("invalid_body");
  });

  it("refuses a body over the size limit, counting the bytes it reads", async () => {
    const session = await signIn();
    const response = await api("/api/chat", {
      token: session.access_token,
      body: { message: "hi", attachments: [{ path: "big.txt", content: "é".repeat(2_500_000) }] },
    });
    expect(response.status).toBe(413);
    expect((await readError(response)).code).toBe("payload_too_large");
  });
});

describe("tenant isolation", () => {
  it("hides one team's conversations from another", async () => {
    const owner = await signIn();
    const stranger = await signIn();
    const events = await readChatEvents(
      await api("/api/chat", { token: owner.access_token, body: { message: "counter" } }),
    );
    const meta = events[0]?.event;
    if (meta?.type !== "meta") throw new Error("first event is not meta");

    const read = await api(`/api/conversations/${meta.conversationId}`, {
      token: stranger.access_token,
    });
    expect(read.status).toBe(404);
    expect((await readError(read)).code).toBe("conversation_not_found");

    const write = await api("/api/chat", {
      token: stranger.access_token,
      body: { message: "hijack", conversationId: meta.conversationId },
    });
    expect(write.status).toBe(404);

    const asOtherTeam = await api("/api/conversations", {
      token: stranger.access_token,
      headers: { "x-team-id": owner.team_id },
    });
    expect(asOtherTeam.status).toBe(403);
    expect((await readError(asOtherTeam)).code).toBe("forbidden");
  });
});
