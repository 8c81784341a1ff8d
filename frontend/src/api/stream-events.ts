import type { ChatStreamEvent, Usage } from "../../../contract/api.ts";

/**
 * Turns one SSE event (`event:` name + JSON `data:`) into a ChatStreamEvent.
 * Unknown or malformed events give null so a newer server cannot break an
 * older page.
 */
export function toChatStreamEvent(name: string | undefined, data: string): ChatStreamEvent | null {
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== "object" || parsed === null) return null;
    payload = parsed as Record<string, unknown>;
  } catch {
    return null;
  }

  switch (name) {
    case "meta":
      return readMeta(payload);
    case "delta":
      return typeof payload.text === "string" ? { type: "delta", text: payload.text } : null;
    case "usage":
      return isUsage(payload.usage) ? { type: "usage", usage: payload.usage } : null;
    case "error":
      return {
        type: "error",
        code: stringOr(payload.code, "stream_error"),
        message: stringOr(payload.message, "The answer stopped with an error."),
        requestId: stringOr(payload.requestId, ""),
      };
    case "done":
      return { type: "done", finishReason: stringOr(payload.finishReason, "stop") };
    default:
      return null;
  }
}

function readMeta(payload: Record<string, unknown>): ChatStreamEvent | null {
  if (typeof payload.conversationId !== "string") return null;
  return {
    type: "meta",
    conversationId: payload.conversationId,
    userMessageId: stringOr(payload.userMessageId, ""),
    assistantMessageId: stringOr(payload.assistantMessageId, ""),
    provider: stringOr(payload.provider, "unknown"),
    model: stringOr(payload.model, "unknown"),
    simulated: payload.simulated === true,
    fallbackUsed: payload.fallbackUsed === true,
    attempts: typeof payload.attempts === "number" ? payload.attempts : 1,
    ...(payload.replay === true ? { replay: true } : {}),
  };
}

function isUsage(value: unknown): value is Usage {
  if (typeof value !== "object" || value === null) return false;
  const usage = value as Record<string, unknown>;
  return typeof usage.inputTokens === "number" && typeof usage.outputTokens === "number";
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
