import { useCallback, useEffect, useEffectEvent, useReducer, useRef, useState } from "react";
import type { Attachment, ChatRequest, ChatStreamEvent } from "../../../contract/api.ts";
import type { ChatStreamOutcome } from "../api/chat-stream.ts";
import { getConversation, stopAnswer } from "../api/endpoints.ts";
import { randomUuid } from "../api/ids.ts";
import { type ChatAction, chatReducer, initialChatState } from "./chat-reducer.ts";
import { clearPending, readPending, savePending } from "./pending-answer.ts";
import { runChatStream } from "./run-chat-stream.ts";
import type { ChatMessage } from "./types.ts";

export type SendInput = {
  message: string;
  attachments: Attachment[];
  contextIds: string[];
  /** "final" is Improve: the routing's final class, never the cache. */
  quality?: ChatRequest["quality"];
};

export type UseChatOptions = {
  conversationId: string | null;
  /** The server assigned an id to a new conversation (from `meta`). */
  onConversationStarted: (conversationId: string) => void;
  /** An answer ended, whatever the outcome. */
  onAnswerSettled: () => void;
};

export function useChat(options: UseChatOptions) {
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  const [streamingId, setStreamingId] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const keyRef = useRef<string | null>(null);
  const unmountingRef = useRef(false);
  const resumedKeyRef = useRef<string | null>(null);

  const followConversation = useEffectEvent((conversationId: string | null) => {
    // The id came from our own stream's `meta`: the messages are already here.
    if (conversationId === state.conversationId) return;

    controllerRef.current?.abort();
    if (conversationId === null) {
      dispatch({ type: "reset" });
    } else {
      loadConversation(conversationId, dispatch);
    }
  });

  useEffect(() => followConversation(options.conversationId), [options.conversationId]);
  useEffect(() => {
    // Reset on (re)mount: StrictMode unmounts and remounts once in development,
    // and a flag left true here would drop every answer's ending.
    unmountingRef.current = false;
    return () => {
      // Leaving the page is not Stop: the answer may be picked up again after a reload.
      unmountingRef.current = true;
      controllerRef.current?.abort();
    };
  }, []);

  const onStreamEvent = useEffectEvent((messageId: string, event: ChatStreamEvent) => {
    if (event.type === "meta") {
      const isNew = state.conversationId === null;
      const pending = readPending();
      if (pending && pending.key === keyRef.current) {
        savePending({ ...pending, conversationId: event.conversationId });
      }
      dispatch({ type: "meta", messageId, meta: event });
      if (isNew) options.onConversationStarted(event.conversationId);
    } else if (event.type === "delta") {
      dispatch({ type: "delta", messageId, text: event.text });
    } else if (event.type === "usage") {
      dispatch({ type: "usage", messageId, usage: event.usage });
    }
  });

  const run = useCallback(
    async (request: ChatRequest, messageId: string, resumeKey?: string) => {
      const controller = new AbortController();
      const key = resumeKey ?? randomUuid();
      controllerRef.current = controller;
      keyRef.current = key;
      setStreamingId(messageId);
      savePending({ key, request, conversationId: request.conversationId ?? null });

      const outcome = await runChatStream({
        request,
        idempotencyKey: key,
        signal: controller.signal,
        onEvent: (event) => onStreamEvent(messageId, event),
        onReconnecting: () => dispatch({ type: "reconnecting", messageId }),
      });

      if (unmountingRef.current) return;
      clearPending(key);
      dispatch(finishAction(messageId, outcome));
      if (controllerRef.current === controller) controllerRef.current = null;
      setStreamingId((current) => (current === messageId ? null : current));
      options.onAnswerSettled();
    },
    [options.onAnswerSettled],
  );

  const send = useCallback(
    (input: SendInput) => {
      const request = buildRequest(input, state);
      const user = localMessage({ role: "user", content: input.message, request: null });
      const assistant = localMessage({ role: "assistant", content: "", request });
      user.attachments = input.attachments;

      dispatch({ type: "send", user, assistant });
      void run(request, assistant.id);
    },
    [run, state],
  );

  const retry = useCallback(
    (messageId: string) => {
      const input = retryInput(state.messages, messageId);
      if (!input) return;

      dispatch({ type: "remove-exchange", messageId });
      send(input);
    },
    [send, state.messages],
  );

  /** Improve: the same question again, answered by the final (more capable) model. */
  const improve = useCallback(
    (messageId: string) => {
      const input = retryInput(state.messages, messageId);
      if (input) send({ ...input, quality: "final" });
    },
    [send, state.messages],
  );

  // Stop tells the server first, so the upstream call ends now rather than after the grace period.
  const stop = useCallback(() => {
    if (keyRef.current) void stopAnswer(keyRef.current);
    controllerRef.current?.abort();
  }, []);

  // After a reload: the answer this tab was waiting for is asked for again, with its key.
  useEffect(() => {
    if (state.load.status !== "idle" || !state.conversationId || streamingId) return;
    const pending = readPending();
    if (!pending || pending.conversationId !== state.conversationId) return;
    if (resumedKeyRef.current === pending.key) return;
    resumedKeyRef.current = pending.key;

    if (state.messages.at(-1)?.role !== "user") {
      clearPending(pending.key);
      return;
    }
    const assistant = localMessage({ role: "assistant", content: "", request: pending.request });
    assistant.resumed = "reload";
    dispatch({ type: "append", message: assistant });
    void run(pending.request, assistant.id, pending.key);
  }, [state.load.status, state.conversationId, state.messages, streamingId, run]);
  const reload = useCallback(() => {
    if (state.conversationId) loadConversation(state.conversationId, dispatch);
  }, [state.conversationId]);

  return { state, streamingId, send, stop, retry, improve, reload };
}

/** A conversation still on the write queue is asked for again, once a second, this many times. */
const PENDING_RETRIES = 20;

/** Loads history; a late answer for another conversation is ignored by the reducer. */
function loadConversation(
  conversationId: string,
  dispatch: (action: ChatAction) => void,
  attempt = 0,
) {
  if (attempt === 0) dispatch({ type: "load-start", conversationId });
  void getConversation(conversationId).then((result) => {
    if (!result.ok && result.error.code === "conversation_pending" && attempt < PENDING_RETRIES) {
      setTimeout(() => loadConversation(conversationId, dispatch, attempt + 1), 1_000);
      return;
    }
    dispatch(
      result.ok
        ? { type: "load-success", response: result.data }
        : { type: "load-error", conversationId, error: result.error },
    );
  });
}

function buildRequest(
  input: SendInput,
  state: { conversationId: string | null; template: ChatRequest["template"] | null },
): ChatRequest {
  const request: ChatRequest = { message: input.message };
  if (state.conversationId) request.conversationId = state.conversationId;
  if (state.template) request.template = state.template;
  if (input.attachments.length > 0) request.attachments = input.attachments;
  if (input.contextIds.length > 0) request.contextIds = input.contextIds;
  if (input.quality) request.quality = input.quality;
  return request;
}

/** What to send again for a failed answer, from memory or from history. */
function retryInput(messages: ChatMessage[], messageId: string): SendInput | null {
  const index = messages.findIndex((message) => message.id === messageId);
  const request = messages[index]?.request;
  if (request) {
    return {
      message: request.message,
      attachments: request.attachments ?? [],
      contextIds: request.contextIds ?? [],
    };
  }

  const asker = messages[index - 1];
  if (asker?.role !== "user") return null;
  return { message: asker.content, attachments: asker.attachments, contextIds: [] };
}

function localMessage(input: {
  role: ChatMessage["role"];
  content: string;
  request: ChatRequest | null;
}): ChatMessage {
  return {
    id: `local-${randomUuid()}`,
    role: input.role,
    content: input.content,
    status: input.role === "assistant" ? "streaming" : "complete",
    provider: null,
    model: null,
    fallbackUsed: false,
    contentTruncated: false,
    usage: null,
    attachments: [],
    createdAt: new Date().toISOString(),
    simulated: false,
    error: null,
    reconnecting: false,
    resumed: null,
    request: input.request,
  };
}

function finishAction(messageId: string, outcome: ChatStreamOutcome): ChatAction {
  switch (outcome.kind) {
    case "done":
      return { type: "finish", messageId, status: "complete", error: null };
    case "aborted":
      return { type: "finish", messageId, status: "aborted", error: null };
    case "error":
      return { type: "finish", messageId, status: "error", error: outcome.error };
    case "cut":
      return {
        type: "finish",
        messageId,
        status: "error",
        error: { code: "stream_interrupted", message: "The answer ended before it was finished." },
      };
  }
}
