import type {
  Attachment,
  ConversationSummary,
  MessageStatus,
  MessageView,
  TemplateId,
  Usage,
} from "../../contract/api.ts";
import type { TenantSql } from "./tenant.ts";

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
  content_truncated: boolean | null;
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
    contentTruncated: row.content_truncated ?? false,
    usage,
    attachments: row.attachments ?? [],
    createdAt: row.created_at.toISOString(),
  };
}

export async function listConversations(
  sql: TenantSql,
  teamId: string,
): Promise<ConversationSummary[]> {
  const rows = await sql<ConversationRow[]>`
    select id, title, template, created_at, updated_at from public.conversations
    where team_id = ${teamId} order by updated_at desc limit ${LIST_LIMIT}`;
  return rows.map(toSummary);
}

export async function findConversation(
  sql: TenantSql,
  options: { teamId: string; conversationId: string },
): Promise<ConversationSummary | null> {
  const [row] = await sql<ConversationRow[]>`
    select id, title, template, created_at, updated_at from public.conversations
    where id = ${options.conversationId} and team_id = ${options.teamId}`;
  return row ? toSummary(row) : null;
}

export async function listMessages(
  sql: TenantSql,
  options: { conversationId: string; limit?: number },
): Promise<MessageView[]> {
  const limit = options.limit ?? 500;
  const rows = await sql<MessageRow[]>`
    select * from (
      select id, role, content, status, provider, model, fallback_used, content_truncated,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, attachments, created_at
      from public.messages where conversation_id = ${options.conversationId}
      order by created_at desc, role desc limit ${limit}
    ) recent order by created_at, role desc`;
  return rows.map(toMessage);
}
