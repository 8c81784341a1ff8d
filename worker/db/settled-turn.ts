/**
 * What the TeamGateway queues when a generation ends, however it ends: the
 * assistant's message (joining the conversation's history) and the
 * request's metadata (usage, outcome, latency), in one queue send.
 *
 * A longer answer than history keeps (saved-size.ts) is saved cut, with
 * `contentTruncated` set so history says so.
 */
import type { GatewayChatRequest } from "../../durable-objects/chat-request.ts";
import type { GenerationOutcome } from "../../durable-objects/generation.ts";
import type { Env } from "../env.ts";
import { fitText, MAX_SAVED_MESSAGE_BYTES } from "./saved-size.ts";
import { enqueueWrites } from "./write-queue.ts";

export async function enqueueSettledTurn(
  env: Env,
  options: { chat: GatewayChatRequest; outcome: GenerationOutcome; latencyMs: number },
): Promise<void> {
  const { chat, outcome } = options;
  const createdAt = new Date().toISOString();
  const content = fitText(outcome.text, MAX_SAVED_MESSAGE_BYTES);

  await enqueueWrites(env, [
    {
      kind: "message",
      message: {
        id: chat.assistantMessageId,
        conversationId: chat.conversationId,
        teamId: chat.teamId,
        authorId: null,
        role: "assistant",
        content,
        contentTruncated: outcome.textCut || content.length < outcome.text.length,
        status: outcome.status,
        provider: outcome.provider,
        model: outcome.model,
        fallbackUsed: outcome.fallbackUsed,
        usage: outcome.usage,
        errorCode: outcome.error?.kind ?? null,
        createdAt,
      },
    },
    {
      kind: "request",
      record: {
        teamId: chat.teamId,
        requestId: chat.requestId,
        userId: chat.userId,
        conversationId: chat.conversationId,
        provider: outcome.provider,
        model: outcome.model,
        outcome: outcome.status,
        errorKind: outcome.error?.kind ?? null,
        usage: outcome.usage,
        latencyMs: options.latencyMs,
        createdAt,
      },
    },
  ]);
}
