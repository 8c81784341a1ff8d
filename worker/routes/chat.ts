/**
 * `POST /api/chat`: validates the turn, reads its history (chat-turn.ts) and
 * hands it to the team's TeamGateway in one call (chat-gateway.ts), which
 * claims the Idempotency-Key and, only for the first request with that key,
 * queues the turn's writes and starts the answer.
 * `POST /api/chat/stop`: ends an answer by its key.
 * `POST /api/context`: keeps a code selection as temporary context.
 */
import { Hono } from "hono";
import {
  type ContextResponse,
  chatRequestSchema,
  contextRequestSchema,
} from "../../contract/api.ts";
import type { AppBindings } from "../env.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { enforceTeamRateLimit } from "../middleware/rate-limit/index.ts";
import { allow } from "./access.ts";
import { forwardChat, stopChat, teamGateway } from "./chat-gateway.ts";
import { requireKnownModelClass } from "./chat-model.ts";
import { prepareTurn } from "./chat-turn.ts";

export const chatRoutes = new Hono<AppBindings>()
  .post("/chat", allow("POST /api/chat"), async (c) => {
    const body = await parseJsonBody(c, chatRequestSchema);
    await requireKnownModelClass(c.env, body.model);
    const auth = c.get("auth");
    const team = c.get("team");
    const requestId = c.get("requestId");
    await enforceTeamRateLimit(c, team.id);

    const turn = await prepareTurn(c.env, { auth, team, body, requestId });
    const { response, isNewTurn } = await forwardChat(c, { teamId: team.id, body, turn });
    if (isNewTurn) {
      response.headers.set("X-Conversation-Id", turn.chat.conversationId);
      // Tells the client when the answer was made without the conversation's history.
      response.headers.set("X-Kiln-History", turn.historyState);
    }
    return response;
  })
  .post("/chat/stop", allow("POST /api/chat/stop"), async (c) => {
    return c.json({ stopped: await stopChat(c, c.get("team").id) });
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
