/**
 * A turn answered from the prompt cache, as the team object records it: the
 * events a live answer would have sent (marked cached), and the outcome its
 * settle step logs, counts and saves, with no usage and no cost.
 */
import type { GatewayChatRequest } from "../chat-request.ts";
import type { GenerationOutcome } from "../generation.ts";
import { type CachedAnswer, cachedAnswerEvents } from "./prompt-cache.ts";

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export function cachedTurn(options: {
  chat: GatewayChatRequest;
  /** The route's first target: the answer is credited to it, as it would have served. */
  first: { provider: string; model: string } | undefined;
  cached: CachedAnswer;
}) {
  const { chat, first, cached } = options;
  const model = first?.model ?? "unknown";
  const provider = first?.provider ?? "cache";
  const events = cachedAnswerEvents(
    {
      type: "meta",
      conversationId: chat.conversationId,
      userMessageId: chat.userMessageId,
      assistantMessageId: chat.assistantMessageId,
      provider,
      model,
      simulated: provider.startsWith("simulator"),
      fallbackUsed: false,
      attempts: 0,
      cached: true,
    },
    cached,
  );
  const outcome: GenerationOutcome = {
    status: "complete",
    text: cached.text,
    textCut: false,
    textChars: cached.text.length,
    usage: NO_USAGE,
    usageReported: true,
    finishReason: "stop",
    error: null,
    abortReason: null,
    provider,
    breakerTrial: null,
    model,
    fallbackUsed: false,
    attempts: [],
    failedBeforeFirstByte: false,
    firstTextAt: null,
  };
  return { model, events, outcome };
}
