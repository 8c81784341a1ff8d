import type { ChatRequest, ChatStreamEvent } from "../../../contract/api.ts";
import { type ChatStreamOutcome, streamChat } from "../api/chat-stream.ts";
import type { ApiError } from "../api/errors.ts";

const MAX_RESUMES = 3;
const RESUME_DELAYS_MS = [500, 1500, 4000];

export type RunChatStreamOptions = {
  request: ChatRequest;
  idempotencyKey: string;
  signal: AbortSignal;
  onEvent: (event: ChatStreamEvent) => void;
  onReconnecting: () => void;
};

/**
 * Runs one answer to its end. A connection that drops before `done` is
 * resumed with the same Idempotency-Key and `Last-Event-ID`, so the server
 * joins the in-flight answer; events already seen (by id) are skipped in
 * case the server replays from the start.
 */
export async function runChatStream(options: RunChatStreamOptions): Promise<ChatStreamOutcome> {
  const seenIds = new Set<string>();
  let lastEventId: string | null = null;
  let sawEventWithoutId = false;

  const onEvent = (event: ChatStreamEvent, eventId: string | undefined) => {
    if (eventId === undefined) {
      sawEventWithoutId = true;
    } else {
      if (seenIds.has(eventId)) return;
      seenIds.add(eventId);
      lastEventId = eventId;
    }
    options.onEvent(event);
  };

  let outcome: ChatStreamOutcome = { kind: "cut" };
  for (let attempt = 0; attempt <= MAX_RESUMES; attempt += 1) {
    if (attempt > 0) {
      // Without event ids a resumed stream could repeat text: give up instead.
      if (sawEventWithoutId) break;
      options.onReconnecting();
      const resumed = await wait(RESUME_DELAYS_MS[attempt - 1] ?? 4000, options.signal);
      if (!resumed) return { kind: "aborted" };
    }

    outcome = await streamChat({
      body: options.request,
      idempotencyKey: options.idempotencyKey,
      lastEventId,
      signal: options.signal,
      onEvent,
    });

    if (!shouldResume(outcome, attempt)) return outcome;
  }

  return outcome.kind === "cut"
    ? { kind: "error", error: droppedError(), connected: true }
    : outcome;
}

function shouldResume(outcome: ChatStreamOutcome, attempt: number): boolean {
  if (outcome.kind === "cut") return true;
  // Failing to reconnect is worth another try; failing the first request is not.
  return outcome.kind === "error" && attempt > 0 && outcome.error.code === "network_error";
}

function droppedError(): ApiError {
  return {
    code: "stream_interrupted",
    message: "The connection dropped before the answer finished.",
    hint: "What arrived is kept above. Retry asks for the answer again.",
  };
}

function wait(delayMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(true), delayMs);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
