import type {
  Attachment,
  ConversationSummary,
  MessageStatus,
  MessageView,
  TemplateId,
  Usage,
} from "../../contract/api.ts";
import type { Sql } from "./client.ts";

type ConversationRow = {
  id: string;
  title: string;
  template: TemplateId | null;
  created_at: Date;
  updated_at: Date;
};

type MessageRow = {
  id: string;
  role: "user" | "assistant";
  content: string;
  status: MessageStatus;
  provider: string | null;
  model: string | null;
  fallback_used: boolean | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  attachments: Attachment[];
  created_at: Date;
};

const LIST_LIMIT = 100;

function toSummary(row: ConversationRow): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    template: row.template,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toMessage(row: MessageRow): MessageView {
  const usage: Usage | null =
    row.input_tokens === null
      ? null
      : {
          inputTokens: row.input_tokens,
          outputTokens: row.output_tokens ?? 0,
          cacheReadTokens: row.cache_read_tokens ?? 0,
          cacheWriteTokens: row.cache_write_tokens ?? 0,
        };
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    status: row.status,
    provider: row.provider,
    model: row.model,
    fallbackUsed: row.fallback_used ?? false,
    usage,
    attachments: row.attachments ?? [],
    createdAt: row.created_at.toISOString(),
  };
}

export async function listConversations(sql: Sql, teamId: string): Promise<ConversationSummary[]> {
  const rows = await sql<ConversationRow[]>`
    select id, title, template, created_at, updated_at from public.conversations
    where team_id = ${teamId} order by updated_at desc limit ${LIST_LIMIT}`;
  return rows.map(toSummary);
}

export async function findConversation(
  sql: Sql,
  options: { teamId: string; conversationId: string },
): Promise<ConversationSummary | null> {
  const [row] = await sql<ConversationRow[]>`
    select id, title, template, created_at, updated_at from public.conversations
    where id = ${options.conversationId} and team_id = ${options.teamId}`;
  return row ? toSummary(row) : null;
}

export async function createConversation(
  sql: Sql,
  options: { teamId: string; userId: string; title: string; template: TemplateId | null },
): Promise<ConversationSummary> {
  const [row] = await sql<ConversationRow[]>`
    insert into public.conversations (team_id, created_by, title, template)
    values (${options.teamId}, ${options.userId}, ${options.title}, ${options.template})
    returning id, title, template, created_at, updated_at`;
  if (!row) throw new Error("conversation insert returned no row");
  return toSummary(row);
}

export async function listMessages(
  sql: Sql,
  options: { conversationId: string; limit?: number },
): Promise<MessageView[]> {
  const limit = options.limit ?? 500;
  const rows = await sql<MessageRow[]>`
    select * from (
      select id, role, content, status, provider, model, fallback_used, input_tokens, output_tokens,
        cache_read_tokens, cache_write_tokens, attachments, created_at
      from public.messages where conversation_id = ${options.conversationId}
      order by created_at desc, role desc limit ${limit}
    ) recent order by created_at, role desc`;
  return rows.map(toMessage);
}

export type NewMessage = {
  id: string;
  conversationId: string;
  teamId: string;
  authorId: string | null;
  role: "user" | "assistant";
  content: string;
  status: MessageStatus;
  provider?: string | null;
  model?: string | null;
  fallbackUsed?: boolean;
  usage?: Usage | null;
  attachments?: Attachment[];
  errorCode?: string | null;
};

export async function insertMessage(sql: Sql, message: NewMessage): Promise<void> {
  const usage = message.usage ?? null;
  await sql`
    insert into public.messages (id, conversation_id, team_id, author_id, role, content, status,
      provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
      attachments, error_code, fallback_used)
    values (${message.id}, ${message.conversationId}, ${message.teamId}, ${message.authorId},
      ${message.role}, ${message.content}, ${message.status}, ${message.provider ?? null},
      ${message.model ?? null}, ${usage?.inputTokens ?? null}, ${usage?.outputTokens ?? null},
      ${usage?.cacheReadTokens ?? null}, ${usage?.cacheWriteTokens ?? null},
      ${sql.json(message.attachments ?? [])}, ${message.errorCode ?? null},
      ${message.fallbackUsed ?? false})`;
  await sql`
    update public.conversations set updated_at = now() where id = ${message.conversationId}`;
}
