/**
 * `POST /api/chat`: validates the turn, records the person's message, and
 * hands the rest to the team's TeamGateway, whose SSE answer is passed
 * straight through (so a disconnect reaches the gateway as a cancel).
 * `POST /api/context`: keeps a code selection as temporary context.
 */
import { Hono } from "hono";
import {
  type ChatRequest,
  type ContextResponse,
  chatRequestSchema,
  contextRequestSchema,
} from "../../contract/api.ts";
import type { GatewayChatRequest } from "../../durable-objects/chat-request.ts";
import type { ChatMessage } from "../../durable-objects/providers/types.ts";
import type { AuthContext } from "../auth/verify.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import { type Sql, withSql } from "../db/client.ts";
import {
  createConversation,
  findConversation,
  insertMessage,
  listMessages,
} from "../db/conversations.ts";
import type { AppBindings } from "../env.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { forwardChat, stopChat, teamGateway } from "./chat-gateway.ts";
import { conversationNotFound } from "./workspace.ts";

const HISTORY_MESSAGES = 40;
const TITLE_CHARS = 80;

export const chatRoutes = new Hono<AppBindings>()
  .post("/chat", async (c) => {
    const body = await parseJsonBody(c, chatRequestSchema);
    const auth = c.get("auth");
    const requestId = c.get("requestId");

    const requestedTeamId = c.req.header("x-team-id");
    const team = await withSql(c.env, (sql) => resolveActiveTeam(sql, { auth, requestedTeamId }));
    c.set("teamId", team.id);

    // The turn is saved only by the first request with its Idempotency-Key.
    return forwardChat(c, {
      teamId: team.id,
      body,
      recordTurn: () =>
        withSql(c.env, (sql) => recordTurn(sql, { auth, body, requestId, requestedTeamId })),
    });
  })
  .post("/chat/stop", async (c) => {
    const team = await withSql(c.env, (sql) =>
      resolveActiveTeam(sql, { auth: c.get("auth"), requestedTeamId: c.req.header("x-team-id") }),
    );
    return c.json({ stopped: await stopChat(c, team.id) });
  })
  .post("/context", async (c) => {
    const selection = await parseJsonBody(c, contextRequestSchema);
    const auth = c.get("auth");
    const team = await withSql(c.env, (sql) =>
      resolveActiveTeam(sql, { auth, requestedTeamId: c.req.header("x-team-id") }),
    );
    const saved: ContextResponse = await teamGateway(c.env, team.id).saveContext({
      selection,
      userId: auth.userId,
    });
    return c.json(saved, 201);
  });

async function recordTurn(
  sql: Sql,
  options: {
    auth: AuthContext;
    body: ChatRequest;
    requestId: string;
    requestedTeamId: string | undefined;
  },
): Promise<GatewayChatRequest> {
  const { auth, body } = options;
  const team = await resolveActiveTeam(sql, {
    auth,
    requestedTeamId: options.requestedTeamId,
  });

  const conversation = body.conversationId
    ? await findConversation(sql, { teamId: team.id, conversationId: body.conversationId })
    : await createConversation(sql, {
        teamId: team.id,
        userId: auth.userId,
        title: titleFrom(body.message),
        template: body.template ?? null,
      });
  if (!conversation) throw conversationNotFound();

  const history: ChatMessage[] = (
    await listMessages(sql, { conversationId: conversation.id, limit: HISTORY_MESSAGES })
  )
    .filter((message) => message.status === "complete" || message.role === "user")
    .map((message) => ({ role: message.role, content: message.content }));

  const userMessageId = crypto.randomUUID();
  const attachments = body.attachments ?? [];
  await insertMessage(sql, {
    id: userMessageId,
    conversationId: conversation.id,
    teamId: team.id,
    authorId: auth.userId,
    role: "user",
    content: body.message,
    status: "complete",
    attachments,
  });

  return {
    requestId: options.requestId,
    teamId: team.id,
    userId: auth.userId,
    conversationId: conversation.id,
    userMessageId,
    assistantMessageId: crypto.randomUUID(),
    template: body.template ?? conversation.template ?? undefined,
    model: body.model,
    message: body.message,
    attachments,
    contextIds: body.contextIds ?? [],
    history: mergeConsecutiveTurns(history),
  };
}

function titleFrom(message: string): string {
  const line = message.trim().split("\n")[0] ?? "New chat";
  return Array.from(line).slice(0, TITLE_CHARS).join("") || "New chat";
}

/**
 * Both APIs want turns that alternate; a failed answer leaves two user turns
 * in a row, which are joined into one.
 */
function mergeConsecutiveTurns(history: ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const turn of history) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${turn.content}`;
    else merged.push({ ...turn });
  }
  return merged;
}
