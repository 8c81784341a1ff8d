import type { ChatRequest, MessageView, TemplateId } from "../../../contract/api.ts";
import type { ApiError } from "../api/errors.ts";

/** A message as the chat shows it: the server's view plus local stream state. */
export type ChatMessage = MessageView & {
  simulated: boolean;
  error: ApiError | null;
  /** Set while a dropped stream is being resumed. */
  reconnecting: boolean;
  /** The answer was picked up again after a page reload or a dropped connection. */
  resumed: "reload" | "reconnect" | null;
  /** What was sent for this answer, so Retry can send it again. */
  request: ChatRequest | null;
};

export type LoadState =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "error"; error: ApiError };

export type ChatState = {
  conversationId: string | null;
  template: TemplateId | null;
  messages: ChatMessage[];
  load: LoadState;
};

export function fromMessageView(view: MessageView): ChatMessage {
  return {
    ...view,
    simulated: false,
    error: null,
    reconnecting: false,
    resumed: null,
    request: null,
  };
}
