/**
 * The writes that save a new turn (the conversation and the person's
 * message), queued by the team object once the turn's key is claimed, while
 * the answer is prepared. Nothing of the answer is committed or sent before
 * they are queued; a turn whose writes the queue refuses is answered with
 * the refusal below, so nothing is answered that is not saved.
 */
import { rememberNewConversation } from "../worker/db/recent-conversations.ts";
import { enqueueWrites } from "../worker/db/write-queue.ts";
import type { Env } from "../worker/env.ts";
import { ApiError, errorBody } from "../worker/errors.ts";
import type { GatewayChatRequest, GatewayStreamRequest } from "./chat-request.ts";
import type { ChatObservation } from "./observability/chat-observer.ts";

/** Resolves to why the writes could not be queued, or null; never rejects. */
export async function queueTurnWrites(
  env: Env,
  turn: GatewayStreamRequest["turn"],
  waitUntil: (work: Promise<unknown>) => void,
): Promise<ApiError | null> {
  try {
    await enqueueWrites(env, turn.writes);
  } catch (error) {
    return error instanceof ApiError
      ? error
      : new ApiError({ status: 503, code: "database_unavailable", message: String(error) });
  }
  if (turn.newConversation) {
    waitUntil(rememberNewConversation(env, turn.chat.teamId, turn.chat.conversationId));
  }
  return null;
}

/** The answer to a turn that could not be saved (the caller frees its key). */
export function unsavedTurnReply(
  problem: ApiError,
  chat: GatewayChatRequest,
  observation: ChatObservation,
): Response {
  observation.log.error("chat.save_failed", { error: String(problem.cause ?? problem) });
  return Response.json(
    errorBody({
      code: problem.code,
      message: problem.message,
      hint: problem.hint,
      requestId: chat.requestId,
      traceId: observation.trace.traceId,
    }),
    { status: problem.status },
  );
}
