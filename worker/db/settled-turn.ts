/**
 * What the TeamGateway queues when a generation ends, however it ends: the
 * assistant's message (joining the conversation's history) and the
 * request's metadata (usage, outcome, latency), in one queue send.
 *
 * A queue message holds 128 KB, so the saved text is at most
 * MAX_SAVED_ANSWER_BYTES of JSON; a longer answer is saved cut, with
 * `contentTruncated` set so history says so. (Sent whole, the queue refused
 * it and the answer was not saved at all.)
 */
import {
  type GatewayChatRequest,
  MAX_SAVED_ANSWER_BYTES,
} from "../../durable-objects/chat-request.ts";
import type { GenerationOutcome } from "../../durable-objects/generation.ts";
import type { Env } from "../env.ts";
import { enqueueWrites } from "./write-queue.ts";

export async function enqueueSettledTurn(
  env: Env,
  options: { chat: GatewayChatRequest; outcome: GenerationOutcome; latencyMs: number },
): Promise<void> {
  const { chat, outcome } = options;
  const createdAt = new Date().toISOString();
  const content = fitText(outcome.text, MAX_SAVED_ANSWER_BYTES);

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

const encoder = new TextEncoder();

/** A start of `text` whose JSON string is at most `maxBytes` of UTF-8, cut in proportion. */
export function fitText(text: string, maxBytes: number): string {
  let kept = text;
  for (;;) {
    const bytes = encoder.encode(JSON.stringify(kept)).byteLength;
    // Nothing shorter exists: an empty string still costs its two quotes.
    if (bytes <= maxBytes || kept === "") return kept;
    const length = Math.floor((kept.length * maxBytes) / bytes) - 1;
    if (length <= 0) return "";
    kept = kept.slice(0, /[\ud800-\udbff]/.test(kept.charAt(length - 1)) ? length - 1 : length);
  }
}
