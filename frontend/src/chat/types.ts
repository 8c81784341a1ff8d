import type { ChatRequest, MessageView, TemplateId } from "../../../contract/api.ts";
import type { TrimReport } from "../../../contract/prompt-budget.ts";
import { isSimulatedProvider } from "../../../contract/routing.ts";
import type { ApiError } from "../api/errors.ts";

/** A message as the chat shows it: the server's view plus local stream state. */
export type ChatMessage = MessageView & {
  simulated: boolean;
  error: ApiError | null;
  /** Set while a dropped stream is being resumed. */
  reconnecting: boolean;
  /** Replayed from the prompt cache: no model call, no cost. */
  cached?: boolean;
  /** What the server left out of the prompt to fit the model's budget. */
  trimmed?: TrimReport;
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
    simulated: isSimulatedProvider(view.provider),
    error: null,
    reconnecting: false,
    resumed: null,
    request: null,
  };
}
