/**
 * Two promises of the identity layer: a removed member loses access within
 * 60 s without a Postgres round trip per request, and with Postgres down
 * chat still works while history says it is unavailable, and the queued
 * writes land once the database is back.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { ConversationListResponse } from "../../contract/api.ts";
import type { AuthContext } from "../../worker/auth/verify.ts";
import { withSql } from "../../worker/db/client.ts";
import {
  findMembership,
  forgetIsolateMemberships,
  MEMBERSHIP_STALE_MS,
  MEMBERSHIP_TTL_MS,
} from "../../worker/db/memberships.ts";
import { consumeWrites } from "../../worker/db/queue-consumer.ts";
import type { WriteMessage } from "../../worker/db/write-queue.ts";
import type { Env } from "../../worker/env.ts";
import worker from "../../worker/index.ts";
import { readChatEvents } from "../support/sse.ts";
import { api, BASE, readError, signIn, waitForMessages } from "./helpers.ts";

function authOf(session: { access_token: string }): AuthContext {
  const claims = decodeJwt(session.access_token);
  return {
    userId: String(claims.sub),
    email: String(claims.email),
    isPlatformOperator: false,
    claims,
  };
}

/** The answer once the background read started by a stale one is back (at most 5 s). */
async function membershipOnceRefreshed(auth: AuthContext, teamId: string, now: number) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const team = await findMembership(env, { auth, teamId, now });
    if (team === null) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return findMembership(env, { auth, teamId, now });
}

async function inviteInto(owner: { access_token: string; team_id: string }, role: string) {
  const person = await signIn();
  const invited = await api("/api/team/invitations", {
    token: owner.access_token,
    headers: { "x-team-id": owner.team_id },
    body: { email: person.user.email, role },
  });
  const { invitation } = (await invited.json()) as { invitation: { id: string } };
  await (
    await api(`/api/invitations/${invitation.id}/accept`, {
      token: person.access_token,
      method: "POST",
    })
  ).text();
  return person;
}

describe("removing a member", () => {
  it("takes effect at once where it is made", async () => {
    const owner = await signIn();
    const member = await inviteInto(owner, "member");
    const headers = { "x-team-id": owner.team_id };

    const before = await api("/api/conversations", { token: member.access_token, headers });
    expect(before.status).toBe(200);
    await before.text();

    const removed = await api(`/api/team/members/${member.user.id}`, {
      token: owner.access_token,
      method: "DELETE",
      headers,
    });
    expect(removed.status).toBe(204);

    const after = await api("/api/conversations", { token: member.access_token, headers });
    expect(after.status).toBe(403);
    expect((await readError(after)).code).toBe("forbidden");
  });

  it("takes effect within the cache TTL (under 60 s) when made elsewhere", async () => {
    const owner = await signIn();
    const member = await inviteInto(owner, "member");
    const auth = authOf(member);
    const start = Date.now();

    expect(await findMembership(env, { auth, teamId: owner.team_id, now: start })).toMatchObject({
      role: "member",
    });
    // Removed in another colo: nothing here is told.
    await withSql(
      env,
      (sql) => sql`delete from public.memberships
        where team_id = ${owner.team_id} and user_id = ${member.user.id}`,
    );

    const cached = await findMembership(env, { auth, teamId: owner.team_id, now: start + 10_000 });
    expect(cached?.role).toBe("member");
    expect(MEMBERSHIP_TTL_MS).toBeLessThan(60_000);
    // Past the TTL the known answer serves that request while Postgres is asked again, so no
    // request waits on Postgres; the removal applies as soon as that read is back.
    const later = start + MEMBERSHIP_TTL_MS + 1;
    const stale = await findMembership(env, { auth, teamId: owner.team_id, now: later });
    expect(stale?.role).toBe("member");
    expect(await membershipOnceRefreshed(auth, owner.team_id, later + 1)).toBeNull();
  });

  it("keeps a known answer while Postgres is down, and refuses once it is too old", async () => {
    const owner = await signIn();
    const member = await inviteInto(owner, "member");
    const auth = authOf(member);
    const start = Date.now();
    expect((await findMembership(env, { auth, teamId: owner.team_id, now: start }))?.role).toBe(
      "member",
    );

    const downEnv: Env = {
      ...env,
      HYPERDRIVE: { ...env.HYPERDRIVE, connectionString: "postgres://kiln:down@127.0.0.1:1/kiln" },
    };
    forgetIsolateMemberships();
    const duringOutage = start + MEMBERSHIP_TTL_MS + 5_000;
    expect(
      (await findMembership(downEnv, { auth, teamId: owner.team_id, now: duringOutage }))?.role,
    ).toBe("member");

    const tooOld = start + MEMBERSHIP_STALE_MS + 1;
    await expect(
      findMembership(downEnv, { auth, teamId: owner.team_id, now: tooOld }),
    ).rejects.toMatchObject({ code: "database_unavailable" });
  });

  it("does not let an admin remove an owner or the last owner leave", async () => {
    const owner = await signIn();
    const admin = await inviteInto(owner, "admin");
    const headers = { "x-team-id": owner.team_id };

    const byAdmin = await api(`/api/team/members/${owner.user.id}`, {
      token: admin.access_token,
      method: "DELETE",
      headers,
    });
    expect(byAdmin.status).toBe(403);

    const demoteSelf = await api(`/api/team/members/${owner.user.id}`, {
      token: owner.access_token,
      method: "PATCH",
      headers,
      body: { role: "member" },
    });
    expect(demoteSelf.status).toBe(409);
    expect((await readError(demoteSelf)).code).toBe("last_owner");
  });

  it("lets an owner change a role, and the new role applies", async () => {
    const owner = await signIn();
    const member = await inviteInto(owner, "member");
    const headers = { "x-team-id": owner.team_id };

    const changed = await api(`/api/team/members/${member.user.id}`, {
      token: owner.access_token,
      method: "PATCH",
      headers,
      body: { role: "viewer" },
    });
    expect(changed.status).toBe(200);

    const chat = await api("/api/chat", {
      token: member.access_token,
      headers,
      body: { message: "spend" },
    });
    expect(chat.status).toBe(403);
    await chat.text();
  });
});

describe("with the database down", () => {
  const downEnv: Env = {
    ...env,
    HYPERDRIVE: { ...env.HYPERDRIVE, connectionString: "postgres://kiln:down@127.0.0.1:1/kiln" },
  };

  async function callDown(path: string, init: { token: string; teamId: string; body?: unknown }) {
    const context = createExecutionContext();
    const response = await worker.fetch(
      new Request(`${BASE}${path}`, {
        method: init.body ? "POST" : "GET",
        headers: {
          authorization: `Bearer ${init.token}`,
          "x-team-id": init.teamId,
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
        body: init.body ? JSON.stringify(init.body) : undefined,
      }),
      downEnv,
      context,
    );
    return { response, done: () => waitOnExecutionContext(context) };
  }

  it("chat still answers, history says it is unavailable, and the writes land later", async () => {
    const person = await signIn();
    const warm = await api("/api/conversations", {
      token: person.access_token,
      headers: { "x-team-id": person.team_id },
    });
    expect(warm.status).toBe(200);
    await warm.text();

    const first = await callDown("/api/chat", {
      token: person.access_token,
      teamId: person.team_id,
      body: { message: "a counter" },
    });
    expect(first.response.status).toBe(200);
    const events = await readChatEvents(first.response);
    expect(events.at(-1)?.event.type).toBe("done");
    const conversationId = first.response.headers.get("x-conversation-id") ?? "";

    const second = await callDown("/api/chat", {
      token: person.access_token,
      teamId: person.team_id,
      body: { message: "make it blue", conversationId },
    });
    expect(second.response.status).toBe(200);
    expect(second.response.headers.get("x-kiln-history")).toBe("unavailable");
    await readChatEvents(second.response);

    const history = await callDown("/api/conversations", {
      token: person.access_token,
      teamId: person.team_id,
    });
    expect(history.response.status).toBe(503);
    const error = await readError(history.response);
    expect(error.code).toBe("history_unavailable");
    expect(error.message).toMatch(/chat still works/);

    // The queue delivered to the consumer with the real database: both turns land.
    const saved = await waitForMessages({
      token: person.access_token,
      conversationId,
      count: 4,
    });
    expect(saved?.messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
  });

  it("the consumer retries a batch while the database is down and saves it when it is back", async () => {
    const person = await signIn();
    const conversationId = crypto.randomUUID();
    const createdAt = new Date().toISOString();
    const body: WriteMessage = {
      kind: "conversation",
      conversation: {
        id: conversationId,
        teamId: person.team_id,
        createdBy: person.user.id,
        title: "Queued while down",
        template: null,
        createdAt,
      },
      firstMessage: {
        id: crypto.randomUUID(),
        conversationId,
        teamId: person.team_id,
        authorId: person.user.id,
        role: "user",
        content: "hello",
        status: "complete",
        createdAt,
      },
    };
    const message = { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body };

    const downBatch = createMessageBatch<WriteMessage>("kiln-writes", [message]);
    const downContext = createExecutionContext();
    await consumeWrites(downBatch, downEnv);
    const downResult = await getQueueResult(downBatch, downContext);
    expect(downResult.retryBatch.retry).toBe(true);
    expect(downResult.explicitAcks).toEqual([]);

    const upBatch = createMessageBatch<WriteMessage>("kiln-writes", [{ ...message, attempts: 2 }]);
    const upContext = createExecutionContext();
    await consumeWrites(upBatch, env);
    const upResult = await getQueueResult(upBatch, upContext);
    expect(upResult.ackAll).toBe(true);

    const list = await api("/api/conversations", {
      token: person.access_token,
      headers: { "x-team-id": person.team_id },
    });
    const { conversations } = (await list.json()) as ConversationListResponse;
    expect(conversations.map((conversation) => conversation.title)).toContain("Queued while down");
  });
});

describe("inviting", () => {
  it("refuses to invite someone already in the team, and leaves their role alone", async () => {
    const owner = await signIn();
    const admin = await inviteInto(owner, "admin");
    const headers = { "x-team-id": owner.team_id };

    const invited = await api("/api/team/invitations", {
      token: owner.access_token,
      headers,
      body: { email: admin.user.email.toUpperCase(), role: "member" },
    });
    expect(invited.status).toBe(409);
    const error = await readError(invited);
    expect(error.code).toBe("already_a_member");
    expect(error.hint).toMatch(/role/);

    const list = await api("/api/team/members", { token: owner.access_token, headers });
    const body = (await list.json()) as {
      members: { userId: string; role: string }[];
      invitations: unknown[];
    };
    expect(body.members.find((member) => member.userId === admin.user.id)?.role).toBe("admin");
    expect(body.invitations).toEqual([]);
  });

  it("replaces a pending invitation to the same email with the new role", async () => {
    const owner = await signIn();
    const person = await signIn();
    const headers = { "x-team-id": owner.team_id };
    const invite = async (role: string) => {
      const response = await api("/api/team/invitations", {
        token: owner.access_token,
        headers,
        body: { email: person.user.email, role },
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { invitation: { id: string; role: string } }).invitation;
    };

    const first = await invite("viewer");
    const second = await invite("admin");
    expect(second).toMatchObject({ id: first.id, role: "admin" });

    const accepted = await api(`/api/invitations/${first.id}/accept`, {
      token: person.access_token,
      method: "POST",
    });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { team: { role: string } }).team.role).toBe("admin");
  });
});
