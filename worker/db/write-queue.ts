/**
 * Writes that must not slow a chat request down go through a Cloudflare
 * Queue (binding KILN_WRITES) and are inserted in batches by its consumer
 * (queue-consumer.ts): a new conversation with its first message, each
 * saved message, request metadata and sandbox records. Queues deliver at
 * least once, so every message carries its own ids and the consumer's
 * inserts are idempotent.
 */
import type { Attachment, MessageStatus, TemplateId, Usage } from "../../contract/api.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";

export type QueuedMessage = {
  id: string;
  conversationId: string;
  teamId: string;
  authorId: string | null;
  role: "user" | "assistant";
  content: string;
  /** True when `content` is the start of a longer answer (settled-turn.ts). */
  contentTruncated?: boolean;
  status: MessageStatus;
  provider?: string | null;
  model?: string | null;
  /** True when a fallback target served the answer. */
  fallbackUsed?: boolean;
  usage?: Usage | null;
  attachments?: Attachment[];
  errorCode?: string | null;
  /** ISO time the message was made, so history keeps its order whenever it lands. */
  createdAt: string;
};

export type QueuedConversation = {
  id: string;
  teamId: string;
  createdBy: string;
  title: string;
  template: TemplateId | null;
  createdAt: string;
};

export type RequestRecord = {
  teamId: string;
  requestId: string;
  userId: string | null;
  conversationId: string | null;
  provider: string | null;
  model: string | null;
  outcome: string;
  errorKind: string | null;
  usage: Usage;
  latencyMs: number | null;
  createdAt: string;
};

export type SandboxRecord = {
  id: string;
  teamId: string;
  userId: string | null;
  conversationId: string | null;
  template: string | null;
  /** What happened: started, ready, failed, stopped, expired... */
  event: string;
  detail?: Record<string, string | number | boolean | null>;
  createdAt: string;
};

export type WriteMessage =
  | { kind: "conversation"; conversation: QueuedConversation; firstMessage: QueuedMessage }
  | { kind: "message"; message: QueuedMessage }
  | { kind: "request"; record: RequestRecord }
  | { kind: "sandbox"; record: SandboxRecord };

/** Sends writes to the queue; a failed send is an error, never a silent loss. */
export async function enqueueWrites(env: Env, writes: WriteMessage[]): Promise<void> {
  if (writes.length === 0) return;
  try {
    await env.KILN_WRITES.sendBatch(writes.map((body) => ({ body, contentType: "json" })));
  } catch (error) {
    throw new ApiError({
      status: 503,
      code: "database_unavailable",
      message: "Kiln could not queue this change for saving.",
      hint: "Try again in a moment.",
      cause: error,
    });
  }
}

/** For the sandbox owner: records one sandbox event, asynchronously. */
export function enqueueSandboxRecord(env: Env, record: SandboxRecord): Promise<void> {
  return enqueueWrites(env, [{ kind: "sandbox", record }]);
}
