/**
 * The database side of a chat turn, kept apart from forwarding to the
 * TeamGateway: find the conversation and its history (a read, as the
 * caller, under RLS), and make the writes that save the new conversation
 * and the person's message. The team's gateway queues them, and only when
 * this request is the first with its Idempotency-Key, so one call to the
 * object claims the key, saves the turn and starts the answer. Nothing
 * here writes to Postgres synchronously, so a slow or unreachable database
 * never holds a chat request: with the database down, the turn goes ahead
 * without history and says so (`historyState`), and its writes land when
 * the database is back.
 */
import type { ChatRequest, ConversationSummary, TeamView } from "../../contract/api.ts";
import type { GatewayChatRequest } from "../../durable-objects/chat-request.ts";
import type { ChatMessage } from "../../durable-objects/providers/types.ts";
import type { AuthContext } from "../auth/verify.ts";
import { findConversation, listMessages } from "../db/conversations.ts";
import { isRecentConversation } from "../db/recent-conversations.ts";
import { savedUserContent } from "../db/saved-size.ts";
import { withTenant } from "../db/tenant.ts";
import type { QueuedMessage, WriteMessage } from "../db/write-queue.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { logger } from "../logger.ts";
import { conversationNotFound } from "./workspace.ts";

const HISTORY_MESSAGES = 40;
const TITLE_CHARS = 80;

/** `available`: from Postgres; `pending`: its rows are still queued; `unavailable`: database down. */
export type HistoryState = "available" | "pending" | "unavailable";

export type PreparedTurn = {
  chat: GatewayChatRequest;
  /** What saves the turn, queued by the gateway once the key is claimed. */
  writes: WriteMessage[];
  /** Set when the turn starts a conversation: the gateway leaves the "still saving" marker. */
  newConversation: boolean;
  historyState: HistoryState;
};

export async function prepareTurn(
  env: Env,
  options: { auth: AuthContext; team: TeamView; body: ChatRequest; requestId: string },
): Promise<PreparedTurn> {
  const { auth, team, body } = options;
  const createdAt = new Date().toISOString();
  const userMessage: QueuedMessage = {
    id: crypto.randomUUID(),
    conversationId: body.conversationId ?? crypto.randomUUID(),
    teamId: team.id,
    authorId: auth.userId,
    role: "user",
    ...savedUserContent(body.message, body.attachments ?? []),
    status: "complete",
    createdAt,
  };

  let writes: WriteMessage[];
  let earlier: Earlier;
  if (body.conversationId) {
    earlier = await loadEarlierTurns(env, { auth, team, conversationId: body.conversationId });
    writes = [{ kind: "message", message: userMessage }];
  } else {
    earlier = { history: [], template: null, state: "available" };
    const conversation = {
      id: userMessage.conversationId,
      teamId: team.id,
      createdBy: auth.userId,
      title: titleFrom(body.message),
      template: body.template ?? null,
      createdAt,
    };
    writes = [{ kind: "conversation", conversation, firstMessage: userMessage }];
  }

  const chat: GatewayChatRequest = {
    requestId: options.requestId,
    teamId: team.id,
    userId: auth.userId,
    conversationId: userMessage.conversationId,
    userMessageId: userMessage.id,
    assistantMessageId: crypto.randomUUID(),
    template: body.template ?? earlier.template ?? undefined,
    model: body.model,
    message: body.message,
    attachments: body.attachments ?? [],
    contextIds: body.contextIds ?? [],
    history: mergeConsecutiveTurns(earlier.history),
    quality: body.quality,
  };
  return {
    chat,
    writes,
    newConversation: body.conversationId === undefined,
    historyState: earlier.state,
  };
}

type Earlier = {
  history: ChatMessage[];
  template: ConversationSummary["template"];
  state: HistoryState;
};

async function loadEarlierTurns(
  env: Env,
  options: { auth: AuthContext; team: TeamView; conversationId: string },
): Promise<Earlier> {
  const { team, conversationId } = options;
  let found: { conversation: ConversationSummary | null; history: ChatMessage[] };
  try {
    found = await withTenant(env, options.auth, async (sql) => {
      const conversation = await findConversation(sql, { teamId: team.id, conversationId });
      if (!conversation) return { conversation, history: [] };
      const messages = await listMessages(sql, { conversationId, limit: HISTORY_MESSAGES });
      const history = messages
        .filter((message) => message.status === "complete" || message.role === "user")
        .map((message): ChatMessage => ({ role: message.role, content: message.content }));
      return { conversation, history };
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "database_unavailable")) throw error;
    logger.warn("chat.history_unavailable", { teamId: team.id });
    return { history: [], template: null, state: "unavailable" };
  }

  if (found.conversation) {
    return { history: found.history, template: found.conversation.template, state: "available" };
  }
  // Started moments ago in this team: its rows are still on the queue.
  if (await isRecentConversation(env, team.id, conversationId)) {
    return { history: [], template: null, state: "pending" };
  }
  throw conversationNotFound();
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
