/**
 * Selections of code a person asked about, kept as temporary context for a
 * later message: one small row per selection in the team object's SQLite,
 * with an expiry, a cap on rows, and expired rows purged on each write.
 */
import type { Attachment, ContextRequest } from "../contract/api.ts";

export const CONTEXT_TTL_MS = 60 * 60 * 1000;
export const MAX_CONTEXT_ROWS = 500;

const SCHEMA = `
  create table if not exists context_selections (
    id text primary key,
    conversation_id text,
    created_by text not null,
    path text not null,
    content text not null,
    start_line integer,
    end_line integer,
    expires_at integer not null
  );
  create index if not exists context_selections_expiry on context_selections (expires_at);
`;

type SelectionRow = {
  id: string;
  path: string;
  content: string;
  start_line: number | null;
  end_line: number | null;
};

export class ContextStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  save(options: { selection: ContextRequest; userId: string; now: number }) {
    const { selection, userId, now } = options;
    const id = crypto.randomUUID();
    const expiresAt = now + CONTEXT_TTL_MS;

    this.#sql.exec("delete from context_selections where expires_at <= ?", now);
    this.#sql.exec(
      `insert into context_selections
        (id, conversation_id, created_by, path, content, start_line, end_line, expires_at)
        values (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      selection.conversationId ?? null,
      userId,
      selection.path,
      selection.content,
      selection.startLine ?? null,
      selection.endLine ?? null,
      expiresAt,
    );
    this.#sql.exec(
      `delete from context_selections where id in (
        select id from context_selections order by expires_at desc limit -1 offset ?)`,
      MAX_CONTEXT_ROWS,
    );
    return { id, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The live selections among `ids`, and the ids that are unknown or expired. */
  find(ids: string[], now: number): { found: Attachment[]; missing: string[] } {
    const found: Attachment[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const row = this.#sql
        .exec<SelectionRow>(
          "select id, path, content, start_line, end_line from context_selections " +
            "where id = ? and expires_at > ?",
          id,
          now,
        )
        .toArray()[0];
      if (!row) {
        missing.push(id);
        continue;
      }
      found.push({
        path: row.path,
        content: row.content,
        ...(row.start_line !== null ? { startLine: row.start_line } : {}),
        ...(row.end_line !== null ? { endLine: row.end_line } : {}),
      });
    }
    return { found, missing };
  }
}
