/** Signed-in routes that read the workspace: who am I, conversations, history. */
import { Hono } from "hono";
import { z } from "zod";
import type {
  ConversationListResponse,
  ConversationResponse,
  MeResponse,
} from "../../contract/api.ts";
import { withSql } from "../db/client.ts";
import { findConversation, listConversations, listMessages } from "../db/conversations.ts";
import { isRecentConversation } from "../db/recent-conversations.ts";
import { listInvitationsForEmail } from "../db/team-admin.ts";
import { ensurePersonalTeam, listTeamsForUser } from "../db/teams.ts";
import { asTenant, withTenant } from "../db/tenant.ts";
import type { AppBindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { allow } from "./access.ts";

const conversationIdSchema = z.uuid();

export const workspaceRoutes = new Hono<AppBindings>()
  .get("/me", allow("GET /api/me"), async (c) => {
    const auth = c.get("auth");
    const body = await withSql(c.env, async (sql): Promise<MeResponse> => {
      let teams = await asTenant(sql, auth, (tx) => listTeamsForUser(tx, auth.userId));
      // First visit: creating the personal team is privileged, as no team grants it yet.
      if (teams.length === 0)
        teams = [await ensurePersonalTeam(sql, { id: auth.userId, email: auth.email })];
      const invitations = auth.email ? await listInvitationsForEmail(sql, auth.email) : [];
      const user = {
        id: auth.userId,
        email: auth.email,
        isPlatformOperator: auth.isPlatformOperator,
      };
      return { user, teams, invitations };
    });
    return c.json(body);
  })
  .get("/conversations", allow("GET /api/conversations"), async (c) => {
    const team = c.get("team");
    const conversations = await withTenant(c.env, c.get("auth"), (sql) =>
      listConversations(sql, team.id),
    ).catch(historyUnavailable);
    const body: ConversationListResponse = { conversations };
    return c.json(body);
  })
  .get("/conversations/:id", allow("GET /api/conversations/:id"), async (c) => {
    const id = c.req.param("id");
    if (!conversationIdSchema.safeParse(id).success) throw conversationNotFound();
    const team = c.get("team");

    const body = await withTenant(
      c.env,
      c.get("auth"),
      async (sql): Promise<ConversationResponse> => {
        const conversation = await findConversation(sql, { teamId: team.id, conversationId: id });
        if (!conversation) {
          // Started moments ago in this team: its rows are still on the write queue.
          throw (await isRecentConversation(c.env, team.id, id))
            ? conversationPending()
            : conversationNotFound();
        }
        return { conversation, messages: await listMessages(sql, { conversationId: id }) };
      },
    ).catch(historyUnavailable);
    return c.json(body);
  });

/** With Postgres down, chat still works; history says why it is missing. */
function historyUnavailable(error: unknown): never {
  if (error instanceof ApiError && error.code === "database_unavailable") {
    throw new ApiError({
      status: 503,
      code: "history_unavailable",
      message: "Conversation history is unavailable right now; chat still works.",
      hint: "New messages are kept and will appear here once the database is back.",
      cause: error,
    });
  }
  throw error;
}

function conversationPending(): ApiError {
  return new ApiError({
    status: 404,
    code: "conversation_pending",
    message: "This conversation was started moments ago and is still being saved.",
    hint: "Ask again in a second; the app does so by itself.",
  });
}

export function conversationNotFound(): ApiError {
  return new ApiError({
    status: 404,
    code: "conversation_not_found",
    message: "That conversation does not exist in this team.",
    hint: "Start a new chat, or switch to the team that owns it.",
  });
}
