/**
 * What the Worker hands a team's gateway for one chat turn, after it has
 * authenticated the caller, checked membership, validated the body and read
 * the conversation's history.
 */
import type { Attachment, TemplateId } from "../contract/api.ts";
import type { WriteMessage } from "../worker/db/write-queue.ts";
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
 * The body of the Worker's one fetch to the gateway for `POST /api/chat`:
 * which answer (by idempotency key), from which event on, and the turn. The
 * gateway claims the key with the body's fingerprint; only the first
 * request with the key has its writes queued and its answer started, while
 * a duplicate or a reconnect joins or replays that answer.
 */
export type GatewayStreamRequest = {
  key: string;
  requestId: string;
  lastEventId: number;
  turn: GatewayTurn;
};

export type GatewayTurn = {
  /** The validated body's fingerprint (worker/routes/chat-gateway.ts). */
  bodyHash: string;
  chat: GatewayChatRequest;
  /** Saves the conversation and the person's message, through the write queue. */
  writes: WriteMessage[];
  newConversation: boolean;
};

/** Set on the gateway's answer when this request's turn was the one saved and started. */
export const NEW_TURN_HEADER = "X-Kiln-New-Turn";

export const MAX_OUTPUT_TOKENS = 8_192;
