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
  /** A model class of the routing config (e.g. "draft", "final"); the default class when unknown. */
  model: string | undefined;
  message: string;
  attachments: Attachment[];
  contextIds: string[];
  history: ChatMessage[];
  quality?: "draft" | "final" | undefined;
};

/**
 * The body of the Worker's fetch to the gateway: which answer (by
 * idempotency key), from which event on, and the turn itself when this
 * request claimed the key (a duplicate or a reconnect sends none).
 */
export type GatewayStreamRequest = {
  key: string;
  requestId: string;
  lastEventId: number;
  turn: GatewayChatRequest | null;
};

export const MAX_OUTPUT_TOKENS = 8_192;

/**
 * How much of an answer is kept for its saved message and the prompt cache,
 * in bytes of its JSON text (at most as many characters). A Cloudflare Queue
 * message holds 128 KB and the saved message travels as one; 8,192 tokens
 * are about 33,000 characters, so a real answer is cut only when its tokens
 * are unusually long. The stream itself is never cut.
 */
export const MAX_SAVED_ANSWER_BYTES = 100_000;
