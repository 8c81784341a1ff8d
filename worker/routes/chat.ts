/**
 * `POST /api/chat`: validates the turn, queues the person's message for
 * saving (chat-turn.ts), and
 * hands the rest to the team's TeamGateway, whose SSE answer is passed
 * straight through (so a disconnect reaches the gateway as a cancel).
 * `POST /api/context`: keeps a code selection as temporary context.
 */
import { Hono } from "hono";
import {
  type ContextResponse,
  chatRequestSchema,
  contextRequestSchema,
} from "../../contract/api.ts";
import type { AppBindings, Env } from "../env.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "./access.ts";
import { recordTurn } from "./chat-turn.ts";

export const chatRoutes = new Hono<AppBindings>()
  .post("/chat", allow("POST /api/chat"), async (c) => {
    const body = await parseJsonBody(c, chatRequestSchema);
    const auth = c.get("auth");
    const requestId = c.get("requestId");

    const { gatewayRequest, historyState } = await recordTurn(c.env, {
      auth,
      team: c.get("team"),
      body,
      requestId,
    });

    const response = await teamGateway(c.env, gatewayRequest.teamId).fetch(
      "https://team-gateway/chat",
      { method: "POST", body: JSON.stringify(gatewayRequest) },
    );
    const headers = new Headers(response.headers);
    headers.set("X-Request-Id", requestId);
    // Lets a client that got an error (not a stream) still open the conversation.
    headers.set("X-Conversation-Id", gatewayRequest.conversationId);
    headers.set("X-Kiln-History", historyState);
    return new Response(response.body, { status: response.status, headers });
  })
  .post("/context", allow("POST /api/context"), async (c) => {
    const selection = await parseJsonBody(c, contextRequestSchema);
    const auth = c.get("auth");
    const team = c.get("team");
    const saved: ContextResponse = await teamGateway(c.env, team.id).saveContext({
      selection,
      userId: auth.userId,
    });
    return c.json(saved, 201);
  });

function teamGateway(env: Env, teamId: string) {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
}
