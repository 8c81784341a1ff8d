/**
 * Nothing is answered that is not saved. The team object queues a turn's
 * writes while it prepares the answer and calls the provider, and sends
 * nothing before they are queued: when the queue refuses them, the turn is
 * a 503 with no answer, its reservation and key are given back, and the
 * same key answers once the queue takes writes again.
 *
 * workerd's local queue cannot be made to fail, so its binding in the team
 * object is swapped for one that refuses every send (the fault of the
 * remote Queues service), on the real object, for this team only.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { UsageResponse } from "../../contract/usage.ts";
import type { TeamGateway } from "../../durable-objects/team-gateway.ts";
import type { Env } from "../../worker/env.ts";
import { readChatEvents } from "../support/sse.ts";
import { chat, marker, newTag, setRouting, simCalls, TWO_TARGETS } from "./gateway-helpers.ts";
import { api, readError, signIn, waitForMessages } from "./helpers.ts";

beforeEach(async () => {
  await setRouting(TWO_TARGETS);
});

const refusingQueue = {
  send: () => Promise.reject(new Error("Queue send failed: service unavailable")),
  sendBatch: () => Promise.reject(new Error("Queue send failed: service unavailable")),
};

/** Swaps the team object's write queue; returns how to put the real one back. */
async function withQueueOf(teamId: string, queue: unknown) {
  const stub = env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
  await runInDurableObject(stub, (instance: TeamGateway) => {
    const holder = instance as unknown as { env: Env };
    holder.env = { ...holder.env, KILN_WRITES: queue as Env["KILN_WRITES"] };
  });
}

async function reserved(session: { access_token: string; team_id: string }) {
  const response = await api("/api/usage", {
    token: session.access_token,
    headers: { "x-team-id": session.team_id },
  });
  const usage = (await response.json()) as UsageResponse;
  return usage.budgets.map((budget) => budget.reserved);
}

describe("a turn whose writes cannot be queued", () => {
  it("is refused before any of its answer is sent, gives its room back, and its key answers later", async () => {
    const session = await signIn();
    const tag = newTag();
    // A slow first token: the provider is still answering when the queue refuses.
    const message = `a counter ${marker({ fault: "slow-first-token", "first-ms": 400, tag })}`;
    const key = `unsaved-${tag}`;

    await withQueueOf(session.team_id, refusingQueue);
    const refused = await chat(session.access_token, message, { "idempotency-key": key });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("content-type")).toContain("application/json");
    const error = await readError(refused);
    expect(error.code).toBe("database_unavailable");
    expect(await reserved(session)).toEqual([0, 0]);
    const list = await api("/api/conversations", {
      token: session.access_token,
      headers: { "x-team-id": session.team_id },
    });
    expect(((await list.json()) as { conversations: unknown[] }).conversations).toEqual([]);

    await withQueueOf(session.team_id, env.KILN_WRITES);
    const answered = await chat(session.access_token, message, { "idempotency-key": key });
    expect(answered.status).toBe(200);
    expect(answered.headers.get("idempotent-replayed")).toBeNull();
    const events = await readChatEvents(answered);
    expect(events.at(-1)?.event.type).toBe("done");
    const conversationId = answered.headers.get("x-conversation-id") ?? "";
    const saved = await waitForMessages({
      token: session.access_token,
      conversationId,
      count: 2,
    });
    expect(saved?.messages.map((saved) => saved.role)).toEqual(["user", "assistant"]);

    // The refused turn's call was ended, not left to run: only the second one completed.
    const calls = await simCalls(tag);
    expect(calls.filter((call) => call.completed)).toHaveLength(1);
  });

  it("is refused even when its answer is in the prompt cache, and the hit is not counted", async () => {
    const session = await signIn();
    const prompt = `cache me ${newTag()}`;
    const first = await chat(session.access_token, prompt);
    expect(first.status).toBe(200);
    await readChatEvents(first);

    await withQueueOf(session.team_id, refusingQueue);
    const refused = await chat(session.access_token, prompt);
    expect(refused.status).toBe(503);
    expect((await readError(refused)).code).toBe("database_unavailable");
    await withQueueOf(session.team_id, env.KILN_WRITES);

    const again = await chat(session.access_token, prompt);
    const events = await readChatEvents(again);
    const meta = events.find(({ event }) => event.type === "meta")?.event;
    expect(meta).toMatchObject({ cached: true });
    const usage = (await (
      await api("/api/usage", {
        token: session.access_token,
        headers: { "x-team-id": session.team_id },
      })
    ).json()) as UsageResponse;
    const hits = usage.rows.reduce((sum, row) => sum + row.cacheHits, 0);
    expect(hits).toBe(1);
  });
});
