/**
 * The queue consumer (worker/db/queue-consumer.ts) against the real
 * database: a mixed batch saves every row in one transaction, kind by kind,
 * redelivered rows are harmless, each conversation ends at its newest
 * message's time whatever order the batch holds them in, and one message
 * at fault is retried alone while the rest of its batch lands.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { withSql } from "../../worker/db/client.ts";
import { consumeWrites } from "../../worker/db/queue-consumer.ts";
import type { QueuedMessage, WriteMessage } from "../../worker/db/write-queue.ts";
import { signIn } from "./helpers.ts";

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

function at(secondsAfter: number): string {
  return new Date(Date.UTC(2026, 11, 4, 9, 0, secondsAfter)).toISOString();
}

function messageIn(
  owner: { team_id: string; user: { id: string } },
  conversationId: string,
  createdAt: string,
  content: string,
): QueuedMessage {
  return {
    id: crypto.randomUUID(),
    conversationId,
    teamId: owner.team_id,
    authorId: owner.user.id,
    role: "user",
    content,
    status: "complete",
    attachments: [{ path: "src/App.tsx", content: "export {}" }],
    createdAt,
  };
}

function conversation(owner: { team_id: string; user: { id: string } }, title: string) {
  const id = crypto.randomUUID();
  return {
    id,
    body: {
      kind: "conversation",
      conversation: {
        id,
        teamId: owner.team_id,
        createdBy: owner.user.id,
        title,
        template: null,
        createdAt: at(0),
      },
      firstMessage: messageIn(owner, id, at(0), `${title}: first`),
    } satisfies WriteMessage,
  };
}

async function consume(bodies: WriteMessage[]) {
  const batch = createMessageBatch<WriteMessage>(
    "kiln-writes",
    bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })),
  );
  const context = createExecutionContext();
  await consumeWrites(batch, env);
  return { batch, result: await getQueueResult(batch, context) };
}

describe("the write queue's consumer", () => {
  it("saves a mixed batch, once however often it is delivered, with each conversation at its newest message", async () => {
    const owner = await signIn();
    const first = conversation(owner, "First");
    const second = conversation(owner, "Second");
    // Out of order on purpose: the newest of First's messages comes before an older one.
    const newest = messageIn(owner, first.id, at(30), "First: newest");
    const older = messageIn(owner, first.id, at(10), "First: older");
    const reply = messageIn(owner, second.id, at(5), "Second: reply");
    const bodies: WriteMessage[] = [
      { kind: "message", message: newest },
      first.body,
      { kind: "message", message: older },
      second.body,
      { kind: "message", message: reply },
      {
        kind: "request",
        record: {
          teamId: owner.team_id,
          requestId: crypto.randomUUID(),
          userId: owner.user.id,
          conversationId: first.id,
          provider: "openai",
          model: "gpt-4o-mini",
          outcome: "complete",
          errorKind: null,
          usage: { ...NO_USAGE, inputTokens: 12, outputTokens: 34 },
          latencyMs: 250,
          createdAt: at(30),
        },
      },
      {
        kind: "sandbox",
        record: {
          id: `sbx-${crypto.randomUUID()}`,
          teamId: owner.team_id,
          userId: owner.user.id,
          conversationId: first.id,
          template: "react",
          event: "started",
          detail: { port: 5173 },
          createdAt: at(31),
        },
      },
    ];

    const { result } = await consume(bodies);
    expect(result.ackAll).toBe(true);
    // Delivered again (queues deliver at least once): nothing doubles.
    expect((await consume(bodies)).result.ackAll).toBe(true);

    const saved = await withSql(env, async (sql) => ({
      conversations: await sql<{ title: string; updated_at: Date }[]>`
        select title, updated_at from public.conversations
        where team_id = ${owner.team_id} order by title`,
      messages: await sql<{ content: string; attachments: unknown }[]>`
        select content, attachments from public.messages
        where team_id = ${owner.team_id} order by created_at, content`,
      requests: await sql<{ output_tokens: number; latency_ms: number }[]>`
        select output_tokens, latency_ms from public.request_log where team_id = ${owner.team_id}`,
      sandboxes: await sql<{ event: string; detail: unknown }[]>`
        select event, detail from public.sandbox_records where team_id = ${owner.team_id}`,
    }));

    expect(saved.conversations.map((row) => [row.title, row.updated_at.toISOString()])).toEqual([
      ["First", at(30)],
      ["Second", at(5)],
    ]);
    expect(saved.messages.map((row) => row.content)).toEqual([
      "First: first",
      "Second: first",
      "Second: reply",
      "First: older",
      "First: newest",
    ]);
    expect(saved.messages[0]?.attachments).toEqual([{ path: "src/App.tsx", content: "export {}" }]);
    expect(saved.requests).toEqual([{ output_tokens: 34, latency_ms: 250 }]);
    expect(saved.sandboxes).toEqual([{ event: "started", detail: { port: 5173 } }]);
  });

  it("retries only the message at fault and saves the rest of its batch", async () => {
    const owner = await signIn();
    const good = conversation(owner, "Landed");
    // Its conversation has not landed (it is on a later batch): the foreign key refuses it.
    const early = messageIn(owner, crypto.randomUUID(), at(1), "too early");
    const { batch, result } = await consume([good.body, { kind: "message", message: early }]);

    expect(result.ackAll).toBe(false);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.explicitAcks).toEqual([batch.messages[0]?.id]);
    expect(result.retryMessages.map((retry: { msgId: string }) => retry.msgId)).toEqual([
      batch.messages[1]?.id,
    ]);

    const titles = await withSql(
      env,
      (sql) => sql<{ title: string }[]>`
        select title from public.conversations where team_id = ${owner.team_id}`,
    );
    expect(titles.map((row) => row.title)).toEqual(["Landed"]);
  });
});
