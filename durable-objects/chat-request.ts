/**
 * What the Worker hands a team's gateway for one chat turn, after it has
 * authenticated the caller, checked membership, validated the body and saved
 * the person's message.
 */
import type { Attachment, TemplateId } from "../contract/api.ts";
import type { ChatMessage } from "./providers/types.ts";

export type GatewayChatRequest = {
  requestId: string;
  teamId: string;
  userId: string;
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  template: TemplateId | undefined;
  model: string | undefined;
  message: string;
  attachments: Attachment[];
  contextIds: string[];
  history: ChatMessage[];
  quality?: "draft" | "final" | undefined;
};

export const MAX_OUTPUT_TOKENS = 8_192;
