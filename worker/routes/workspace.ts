/** Signed-in routes that read the workspace: who am I, conversations, history. */
import { Hono } from "hono";
import { z } from "zod";
import type {
  ConversationListResponse,
  ConversationResponse,
  MeResponse,
} from "../../contract/api.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import { withSql } from "../db/client.ts";
import { findConversation, listConversations, listMessages } from "../db/conversations.ts";
import { ensurePersonalTeam, listTeamsForUser } from "../db/teams.ts";
import type { AppBindings } from "../env.ts";
import { ApiError } from "../errors.ts";

const conversationIdSchema = z.uuid();

export const workspaceRoutes = new Hono<AppBindings>()
  .get("/me", async (c) => {
    const auth = c.get("auth");
    const teams = await withSql(c.env, async (sql) => {
      const existing = await listTeamsForUser(sql, auth.userId);
      if (existing.length > 0) return existing;
      return [await ensurePersonalTeam(sql, { id: auth.userId, email: auth.email })];
    });
    const body: MeResponse = {
      user: { id: auth.userId, email: auth.email, isPlatformOperator: auth.isPlatformOperator },
      teams,
    };
    return c.json(body);
  })
  .get("/conversations", async (c) => {
    const conversations = await withSql(c.env, async (sql) => {
      const team = await resolveActiveTeam(sql, {
        auth: c.get("auth"),
        requestedTeamId: c.req.header("x-team-id"),
      });
      return listConversations(sql, team.id);
    });
    const body: ConversationListResponse = { conversations };
    return c.json(body);
  })
  .get("/conversations/:id", async (c) => {
    const id = c.req.param("id");
    if (!conversationIdSchema.safeParse(id).success) throw conversationNotFound();

    const body = await withSql(c.env, async (sql): Promise<ConversationResponse> => {
      const team = await resolveActiveTeam(sql, {
        auth: c.get("auth"),
        requestedTeamId: c.req.header("x-team-id"),
      });
      const conversation = await findConversation(sql, { teamId: team.id, conversationId: id });
      if (!conversation) throw conversationNotFound();
      return { conversation, messages: await listMessages(sql, { conversationId: id }) };
    });
    return c.json(body);
  });

export function conversationNotFound(): ApiError {
  return new ApiError({
    status: 404,
    code: "conversation_not_found",
    message: "That conversation does not exist in this team.",
    hint: "Start a new chat, or switch to the team that owns it.",
  });
}
