/**
 * The consumer of KILN_WRITES: inserts a batch in one transaction, in an
 * order that respects foreign keys (conversations, then messages, then the
 * logs). Every insert ignores a row that already exists, so a redelivered
 * message is harmless. If the database is unreachable the whole batch is
 * retried with a growing delay; if one message is at fault, the batch is
 * replayed message by message so the good ones land and only the bad one is
 * retried. After max_retries (wrangler.toml) a message moves to the dead
 * letter queue, so nothing is dropped.
 */

import type { Env } from "../env.ts";
import { logger } from "../logger.ts";
import { createSql, isConnectionFailure, type Sql } from "./client.ts";
import type {
  QueuedConversation,
  QueuedMessage,
  RequestRecord,
  SandboxRecord,
  WriteMessage,
} from "./write-queue.ts";

const KIND_ORDER: Record<WriteMessage["kind"], number> = {
  conversation: 0,
  message: 1,
  request: 2,
  sandbox: 3,
};
const MAX_RETRY_DELAY_SECONDS = 300;

export async function consumeWrites(batch: MessageBatch<WriteMessage>, env: Env): Promise<void> {
  const messages = [...batch.messages].sort(
    (a, b) => KIND_ORDER[a.body.kind] - KIND_ORDER[b.body.kind],
  );
  const sql = createSql(env);

  try {
    await sql.begin(async (tx) => {
      for (const message of messages) await write(tx as unknown as Sql, message.body);
    });
    batch.ackAll();
    logger.info("writes.batch_saved", { queue: batch.queue, size: messages.length });
  } catch (error) {
    if (isConnectionFailure(error)) {
      const attempts = Math.max(...messages.map((message) => message.attempts));
      batch.retryAll({ delaySeconds: retryDelaySeconds(attempts) });
      logger.warn("writes.database_unavailable", { size: messages.length, attempts });
      return;
    }
    await writeOneByOne(sql, messages);
  } finally {
    await sql.end({ timeout: 2 }).catch(() => {});
  }
}

async function writeOneByOne(sql: Sql, messages: Message<WriteMessage>[]) {
  for (const message of messages) {
    try {
      await sql.begin((tx) => write(tx as unknown as Sql, message.body));
      message.ack();
    } catch (error) {
      // A message whose conversation has not landed yet succeeds on a later try.
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      logger.warn("writes.message_retried", {
        kind: message.body.kind,
        attempts: message.attempts,
        code: String((error as { code?: unknown }).code ?? "unknown"),
      });
    }
  }
}

function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** Math.min(attempts, 9));
}

async function write(sql: Sql, body: WriteMessage): Promise<void> {
  switch (body.kind) {
    case "conversation":
      await insertConversation(sql, body.conversation);
      await insertMessage(sql, body.firstMessage);
      return;
    case "message":
      await insertMessage(sql, body.message);
      return;
    case "request":
      await insertRequest(sql, body.record);
      return;
    case "sandbox":
      await insertSandbox(sql, body.record);
      return;
  }
}

async function insertConversation(sql: Sql, conversation: QueuedConversation) {
  await sql`
    insert into public.conversations (id, team_id, created_by, title, template, created_at, updated_at)
    values (${conversation.id}, ${conversation.teamId}, ${conversation.createdBy},
      ${conversation.title}, ${conversation.template}, ${conversation.createdAt},
      ${conversation.createdAt})
    on conflict (id) do nothing`;
}

async function insertMessage(sql: Sql, message: QueuedMessage) {
  const usage = message.usage ?? null;
  await sql`
    insert into public.messages (id, conversation_id, team_id, author_id, role, content, status,
      provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
      attachments, error_code, fallback_used, content_truncated, created_at)
    values (${message.id}, ${message.conversationId}, ${message.teamId}, ${message.authorId},
      ${message.role}, ${message.content}, ${message.status}, ${message.provider ?? null},
      ${message.model ?? null}, ${usage?.inputTokens ?? null}, ${usage?.outputTokens ?? null},
      ${usage?.cacheReadTokens ?? null}, ${usage?.cacheWriteTokens ?? null},
      ${sql.json(message.attachments ?? [])}, ${message.errorCode ?? null},
      ${message.fallbackUsed ?? false}, ${message.contentTruncated ?? false},
      ${message.createdAt})
    on conflict (id) do nothing`;
  await sql`
    update public.conversations set updated_at = greatest(updated_at, ${message.createdAt})
    where id = ${message.conversationId} and team_id = ${message.teamId}`;
}

async function insertRequest(sql: Sql, record: RequestRecord) {
  await sql`
    insert into public.request_log (team_id, request_id, user_id, conversation_id, provider,
      model, outcome, error_kind, input_tokens, output_tokens, cache_read_tokens,
      cache_write_tokens, latency_ms, created_at)
    values (${record.teamId}, ${record.requestId}, ${record.userId}, ${record.conversationId},
      ${record.provider}, ${record.model}, ${record.outcome}, ${record.errorKind},
      ${record.usage.inputTokens}, ${record.usage.outputTokens}, ${record.usage.cacheReadTokens},
      ${record.usage.cacheWriteTokens}, ${record.latencyMs}, ${record.createdAt})
    on conflict (team_id, request_id) do nothing`;
}

async function insertSandbox(sql: Sql, record: SandboxRecord) {
  await sql`
    insert into public.sandbox_records (id, team_id, user_id, conversation_id, template, event,
      detail, created_at)
    values (${record.id}, ${record.teamId}, ${record.userId}, ${record.conversationId},
      ${record.template}, ${record.event}, ${sql.json(record.detail ?? {})}, ${record.createdAt})
    on conflict (team_id, id, event) do nothing`;
}
