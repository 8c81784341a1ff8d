import { EventSourceParserStream } from "eventsource-parser/stream";
import type { ChatRequest, ChatStreamEvent } from "../../../contract/api.ts";
import { apiFetch } from "./client.ts";
import { type ApiError, isAbortError } from "./errors.ts";
import { createTraceparent, traceIdOf } from "./ids.ts";
import { toChatStreamEvent } from "./stream-events.ts";

/** How one `POST /api/chat` stream ended. Only `done` is a whole answer. */
export type ChatStreamOutcome =
  | { kind: "done"; finishReason: string }
  | { kind: "error"; error: ApiError; connected: boolean }
  | { kind: "cut" }
  | { kind: "aborted" };

export type StreamChatOptions = {
  body: ChatRequest;
  idempotencyKey: string;
  /** Resume after this event (the same key joins the in-flight answer). */
  lastEventId: string | null;
  signal: AbortSignal;
  onEvent: (event: ChatStreamEvent, eventId: string | undefined) => void;
};

export async function streamChat(options: StreamChatOptions): Promise<ChatStreamOutcome> {
  const headers: Record<string, string> = {
    Accept: "text/event-stream",
    "Idempotency-Key": options.idempotencyKey,
    traceparent: createTraceparent(),
  };
  if (options.lastEventId) headers["Last-Event-ID"] = options.lastEventId;

  try {
    const result = await apiFetch("/api/chat", {
      method: "POST",
      body: options.body,
      headers,
      signal: options.signal,
    });
    if (!result.ok) return { kind: "error", error: result.error, connected: false };
    if (!result.data.body) return { kind: "cut" };

    const traceId = traceIdOf(headers.traceparent ?? null);
    return await readEvents(result.data.body, options.onEvent, traceId);
  } catch (error) {
    if (isAbortError(error) || options.signal.aborted) return { kind: "aborted" };
    // The body failed mid-read: the connection dropped.
    return { kind: "cut" };
  }
}

async function readEvents(
  body: ReadableStream<BufferSource>,
  onEvent: StreamChatOptions["onEvent"],
  traceId: string | undefined,
): Promise<ChatStreamOutcome> {
  // A reader loop rather than `for await`: Safari lacks async iteration of streams.
  const reader = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();

  try {
    for (;;) {
      const { done, value: message } = await reader.read();
      if (done) return { kind: "cut" };

      const event = toChatStreamEvent(message.event, message.data);
      if (!event) continue;

      onEvent(event, message.id);
      if (event.type === "done") return { kind: "done", finishReason: event.finishReason };
      if (event.type === "error") {
        const { code, message: text, requestId } = event;
        const error = { code, message: text, requestId, ...(traceId ? { traceId } : {}) };
        return { kind: "error", error, connected: true };
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
