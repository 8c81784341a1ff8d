import type {
  ChatStreamEvent,
  ConversationResponse,
  MessageStatus,
  Usage,
} from "../../../contract/api.ts";
import type { ApiError } from "../api/errors.ts";
import { type ChatMessage, type ChatState, fromMessageView } from "./types.ts";

export type ChatAction =
  | { type: "reset" }
  | { type: "load-start"; conversationId: string }
  | { type: "load-success"; response: ConversationResponse }
  | { type: "load-error"; conversationId: string; error: ApiError }
  | { type: "send"; user: ChatMessage; assistant: ChatMessage }
  | { type: "append"; message: ChatMessage }
  | { type: "meta"; messageId: string; meta: Extract<ChatStreamEvent, { type: "meta" }> }
  | { type: "delta"; messageId: string; text: string }
  | { type: "usage"; messageId: string; usage: Usage }
  | { type: "reconnecting"; messageId: string }
  | { type: "finish"; messageId: string; status: MessageStatus; error: ApiError | null }
  | { type: "remove-exchange"; messageId: string };

export const initialChatState: ChatState = {
  conversationId: null,
  template: null,
  messages: [],
  load: { status: "idle" },
};

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "reset":
      return initialChatState;
    case "load-start":
      return {
        ...initialChatState,
        conversationId: action.conversationId,
        load: { status: "loading" },
      };
    case "load-success":
      if (action.response.conversation.id !== state.conversationId) return state;
      return {
        ...state,
        template: action.response.conversation.template,
        messages: action.response.messages.map(fromMessageView),
        load: { status: "idle" },
      };
    case "load-error":
      if (action.conversationId !== state.conversationId) return state;
      return { ...state, load: { status: "error", error: action.error } };
    case "send":
      return { ...state, messages: [...state.messages, action.user, action.assistant] };
    case "append":
      return { ...state, messages: [...state.messages, action.message] };
    case "meta":
      return {
        ...updateMessage(state, action.messageId, (message) => ({
          ...message,
          provider: action.meta.provider,
          model: action.meta.model,
          fallbackUsed: action.meta.fallbackUsed,
          simulated: action.meta.simulated,
          cached: action.meta.cached === true,
          ...(action.meta.trimmed ? { trimmed: action.meta.trimmed } : {}),
        })),
        conversationId: action.meta.conversationId,
      };
    case "delta":
      return updateMessage(state, action.messageId, (message) => ({
        ...message,
        content: message.content + action.text,
        reconnecting: false,
      }));
    case "usage":
      return updateMessage(state, action.messageId, (message) => ({
        ...message,
        usage: action.usage,
      }));
    case "reconnecting":
      return updateMessage(state, action.messageId, (message) => ({
        ...message,
        reconnecting: true,
        resumed: message.resumed ?? "reconnect",
      }));
    case "finish":
      return updateMessage(state, action.messageId, (message) => ({
        ...message,
        status: action.status,
        error: action.error,
        reconnecting: false,
      }));
    case "remove-exchange":
      return { ...state, messages: withoutExchange(state.messages, action.messageId) };
  }
}

function updateMessage(
  state: ChatState,
  messageId: string,
  update: (message: ChatMessage) => ChatMessage,
): ChatState {
  return {
    ...state,
    messages: state.messages.map((message) =>
      message.id === messageId ? update(message) : message,
    ),
  };
}

/** Drops an assistant message and the user message that asked for it. */
function withoutExchange(messages: ChatMessage[], assistantId: string): ChatMessage[] {
  const index = messages.findIndex((message) => message.id === assistantId);
  if (index === -1) return messages;

  const asker = messages[index - 1];
  const start = asker?.role === "user" ? index - 1 : index;
  return [...messages.slice(0, start), ...messages.slice(index + 1)];
}
