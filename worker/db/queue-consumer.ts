/**
 * The consumer of KILN_WRITES: saves a batch in one transaction, with one
 * statement per kind of row (conversations, then messages, then the logs,
 * an order that respects foreign keys), not one per message: a batch of 50
 * was over a hundred round trips, each paid in the consumer's CPU and in the
 * time the transaction holds its connection. Every insert ignores a row
 * that already exists, so a redelivered message is harmless. If the database
 * is unreachable the whole batch is retried with a growing delay; if one
 * message is at fault, the batch is replayed message by message so the good
 * ones land and only the bad one is retried. After max_retries
 * (wrangler.toml) a message moves to the dead letter queue, so nothing is
 * dropped.
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

const MAX_RETRY_DELAY_SECONDS = 300;

export async function consumeWrites(batch: MessageBatch<WriteMessage>, env: Env): Promise<void> {
  const messages = [...batch.messages];
  const bodies = messages.map((message) => message.body);
  const sql = createSql(env);

  try {
    await sql.begin((tx) => writeAll(tx as unknown as Sql, bodies));
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
      await sql.begin((tx) => writeAll(tx as unknown as Sql, [message.body]));
      message.ack();
    } catch (error) {
      // A message whose conversation has not landed yet succeeds on a later try.
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      logger.warn("writes.message_retried", {
        kind: message.body.kind,
        attempts: message.attempts,
        // Postgres's SQLSTATE (23503: its conversation is not there yet). Not `code`, which the
        // logger redacts as source code.
        sqlState: String((error as { code?: unknown }).code ?? "unknown"),
      });
    }
  }
}

function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** Math.min(attempts, 9));
}

/** The rows of `bodies`, kind by kind, parents first. */
async function writeAll(sql: Sql, bodies: WriteMessage[]): Promise<void> {
  const conversations: QueuedConversation[] = [];
  const messages: QueuedMessage[] = [];
  const requests: RequestRecord[] = [];
  const sandboxes: SandboxRecord[] = [];
  for (const body of bodies) {
    switch (body.kind) {
      case "conversation":
        conversations.push(body.conversation);
        messages.push(body.firstMessage);
        break;
      case "message":
        messages.push(body.message);
        break;
      case "request":
        requests.push(body.record);
        break;
      case "sandbox":
        sandboxes.push(body.record);
        break;
    }
  }
  if (conversations.length > 0) await insertConversations(sql, conversations);
  if (messages.length > 0) {
    await insertMessages(sql, messages);
    await touchConversations(sql, messages);
  }
  if (requests.length > 0) await insertRequests(sql, requests);
  if (sandboxes.length > 0) await insertSandboxes(sql, sandboxes);
}

async function insertConversations(sql: Sql, conversations: QueuedConversation[]) {
  const rows = conversations.map((conversation) => ({
    id: conversation.id,
    team_id: conversation.teamId,
    created_by: conversation.createdBy,
    title: conversation.title,
    template: conversation.template,
    created_at: conversation.createdAt,
    updated_at: conversation.createdAt,
  }));
  await sql`insert into public.conversations ${sql(rows)} on conflict (id) do nothing`;
}

async function insertMessages(sql: Sql, messages: QueuedMessage[]) {
  const rows = messages.map((message) => {
    const usage = message.usage ?? null;
    return {
      id: message.id,
      conversation_id: message.conversationId,
      team_id: message.teamId,
      author_id: message.authorId,
      role: message.role,
      content: message.content,
      status: message.status,
      provider: message.provider ?? null,
      model: message.model ?? null,
      input_tokens: usage?.inputTokens ?? null,
      output_tokens: usage?.outputTokens ?? null,
      cache_read_tokens: usage?.cacheReadTokens ?? null,
      cache_write_tokens: usage?.cacheWriteTokens ?? null,
      attachments: sql.json(message.attachments ?? []),
      error_code: message.errorCode ?? null,
      fallback_used: message.fallbackUsed ?? false,
      content_truncated: message.contentTruncated ?? false,
      created_at: message.createdAt,
    };
  });
  await sql`insert into public.messages ${sql(rows)} on conflict (id) do nothing`;
}

/**
 * Moves each conversation's updated_at to its newest message here. One row
 * per conversation: an update joined to several rows of `from` would take
 * any one of them.
 */
async function touchConversations(sql: Sql, messages: QueuedMessage[]) {
  const newest = new Map<string, { id: string; teamId: string; at: string; ms: number }>();
  for (const message of messages) {
    const ms = Date.parse(message.createdAt);
    const kept = newest.get(message.conversationId);
    if (kept && kept.ms >= ms) continue;
    newest.set(message.conversationId, {
      id: message.conversationId,
      teamId: message.teamId,
      at: message.createdAt,
      ms,
    });
  }
  const rows = [...newest.values()].map((entry) => [entry.id, entry.teamId, entry.at]);
  await sql`
    update public.conversations as conversation
    set updated_at = greatest(conversation.updated_at, touched.at::timestamptz)
    from (values ${sql(rows)}) as touched (id, team_id, at)
    where conversation.id = touched.id::uuid and conversation.team_id = touched.team_id::uuid`;
}

async function insertRequests(sql: Sql, records: RequestRecord[]) {
  const rows = records.map((record) => ({
    team_id: record.teamId,
    request_id: record.requestId,
    user_id: record.userId,
    conversation_id: record.conversationId,
    provider: record.provider,
    model: record.model,
    outcome: record.outcome,
    error_kind: record.errorKind,
    input_tokens: record.usage.inputTokens,
    output_tokens: record.usage.outputTokens,
    cache_read_tokens: record.usage.cacheReadTokens,
    cache_write_tokens: record.usage.cacheWriteTokens,
    latency_ms: record.latencyMs,
    created_at: record.createdAt,
  }));
  await sql`insert into public.request_log ${sql(rows)} on conflict (team_id, request_id) do nothing`;
}

async function insertSandboxes(sql: Sql, records: SandboxRecord[]) {
  const rows = records.map((record) => ({
    id: record.id,
    team_id: record.teamId,
    user_id: record.userId,
    conversation_id: record.conversationId,
    template: record.template,
    event: record.event,
    detail: sql.json(record.detail ?? {}),
    created_at: record.createdAt,
  }));
  await sql`insert into public.sandbox_records ${sql(rows)} on conflict (team_id, id, event) do nothing`;
}
