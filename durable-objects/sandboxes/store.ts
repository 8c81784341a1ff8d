/**
 * The team's sandboxes in the TeamGateway's SQLite storage: one row per
 * sandbox, its files (one row per file, kept so an expired sandbox can be
 * recreated) and its log lines (one row per line, capped per sandbox).
 */
import {
  MAX_RUNTIME_LOG_LINES,
  type SandboxExecution,
  type SandboxFailure,
  type SandboxFile,
  type SandboxLogLine,
  type SandboxLogStream,
  type SandboxStatus,
  type SandboxStep,
  type SandboxTemplateId,
  type SandboxView,
} from "../../contract/sandbox.ts";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sandboxes (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    user_id TEXT,
    conversation_id TEXT,
    template TEXT NOT NULL,
    e2b_id TEXT,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_expires_at INTEGER NOT NULL,
    e2b_started_at INTEGER,
    ended_at INTEGER,
    preview_url TEXT,
    simulated INTEGER NOT NULL DEFAULT 0,
    steps TEXT NOT NULL DEFAULT '[]',
    failure TEXT,
    execution TEXT,
    recorded INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS sandboxes_by_expiry ON sandboxes (status, expires_at);
  CREATE TABLE IF NOT EXISTS sandbox_files (
    sandbox_id TEXT NOT NULL,
    path TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (sandbox_id, path)
  );
  CREATE TABLE IF NOT EXISTS sandbox_logs (
    sandbox_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (sandbox_id, seq)
  );
`;

/** Added after the table first shipped (SQLite has no `ADD COLUMN IF NOT EXISTS`). */
const ADDED_COLUMNS = [{ column: "user_id", definition: "TEXT" }];

/** Statuses in which a sandbox holds an E2B sandbox (or is about to). */
export const LIVE_STATUSES: SandboxStatus[] = ["queued", "starting", "ready"];

const MAX_LOG_LINES = 400;
const MAX_LOG_LINE_CHARS = 2_000;

export type SandboxRow = {
  id: string;
  team_id: string;
  /** Who asked for it: their usage row is charged. */
  user_id: string | null;
  conversation_id: string | null;
  template: SandboxTemplateId;
  e2b_id: string | null;
  status: SandboxStatus;
  created_at: number;
  expires_at: number;
  max_expires_at: number;
  e2b_started_at: number | null;
  ended_at: number | null;
  preview_url: string | null;
  simulated: number;
  steps: string;
  failure: string | null;
  execution: string | null;
  /** 1 once its sandbox seconds went to the usage ledger. */
  recorded: number;
};

export class SandboxStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
    const present = this.#sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('sandboxes')")
      .toArray()
      .map((row) => row.name);
    for (const { column, definition } of ADDED_COLUMNS) {
      if (!present.includes(column))
        this.#sql.exec(`ALTER TABLE sandboxes ADD COLUMN ${column} ${definition}`);
    }
  }

  insert(
    row: Pick<
      SandboxRow,
      | "id"
      | "team_id"
      | "user_id"
      | "conversation_id"
      | "template"
      | "status"
      | "created_at"
      | "expires_at"
      | "max_expires_at"
      | "simulated"
    >,
  ) {
    this.#sql.exec(
      `INSERT INTO sandboxes (id, team_id, user_id, conversation_id, template, status, created_at, expires_at, max_expires_at, simulated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      row.team_id,
      row.user_id,
      row.conversation_id,
      row.template,
      row.status,
      row.created_at,
      row.expires_at,
      row.max_expires_at,
      row.simulated,
    );
  }

  find(id: string): SandboxRow | null {
    return (
      (this.#sql.exec("SELECT * FROM sandboxes WHERE id = ?", id).toArray()[0] as
        | SandboxRow
        | undefined) ?? null
    );
  }

  update(id: string, fields: Partial<Omit<SandboxRow, "id">>) {
    const entries = Object.entries(fields);
    if (entries.length === 0) return;
    const assignments = entries.map(([column]) => `${column} = ?`).join(", ");
    this.#sql.exec(
      `UPDATE sandboxes SET ${assignments} WHERE id = ?`,
      ...entries.map(([, value]) => value as SqlStorageValue),
      id,
    );
  }

  /** Live sandboxes whose time is up, oldest first. */
  dueForExpiry(nowMs: number): SandboxRow[] {
    return this.#sql
      .exec(
        `SELECT * FROM sandboxes WHERE status IN ('queued', 'starting', 'ready') AND expires_at <= ?
         ORDER BY expires_at`,
        nowMs,
      )
      .toArray() as SandboxRow[];
  }

  nextExpiry(): number | null {
    const row = this.#sql
      .exec(
        `SELECT min(expires_at) AS next FROM sandboxes WHERE status IN ('queued', 'starting', 'ready')`,
      )
      .one();
    return row.next === null ? null : Number(row.next);
  }

  saveFiles(sandboxId: string, files: SandboxFile[]) {
    for (const file of files) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO sandbox_files (sandbox_id, path, content) VALUES (?, ?, ?)",
        sandboxId,
        file.path,
        file.content,
      );
    }
  }

  files(sandboxId: string): SandboxFile[] {
    return this.#sql
      .exec("SELECT path, content FROM sandbox_files WHERE sandbox_id = ? ORDER BY path", sandboxId)
      .toArray() as SandboxFile[];
  }

  /**
   * Step logs stop at MAX_LOG_LINES (the start of a failure is what explains
   * it); runtime lines keep coming for as long as the app runs, so only the
   * newest MAX_RUNTIME_LOG_LINES of them are kept.
   */
  appendLog(
    sandboxId: string,
    stream: SandboxLogStream,
    text: string,
    atMs: number,
  ): SandboxLogLine | null {
    const runtime = stream === "runtime";
    const { count, next } = this.#sql
      .exec(
        `SELECT coalesce(sum(stream != 'runtime'), 0) AS count, coalesce(max(seq), 0) + 1 AS next
         FROM sandbox_logs WHERE sandbox_id = ?`,
        sandboxId,
      )
      .one() as { count: number; next: number };
    if (!runtime && count >= MAX_LOG_LINES) return null;
    const line = text.length > MAX_LOG_LINE_CHARS ? `${text.slice(0, MAX_LOG_LINE_CHARS)}…` : text;
    this.#sql.exec(
      "INSERT INTO sandbox_logs (sandbox_id, seq, stream, text, at) VALUES (?, ?, ?, ?, ?)",
      sandboxId,
      next,
      stream,
      line,
      atMs,
    );
    if (runtime) {
      this.#sql.exec(
        `DELETE FROM sandbox_logs WHERE sandbox_id = ? AND stream = 'runtime' AND seq <= (
           SELECT seq FROM sandbox_logs WHERE sandbox_id = ? AND stream = 'runtime'
           ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
        sandboxId,
        sandboxId,
        MAX_RUNTIME_LOG_LINES,
      );
    }
    return { stream, text: line, at: new Date(atMs).toISOString() };
  }

  logs(sandboxId: string, options: { runtimeOnly?: boolean } = {}): SandboxLogLine[] {
    const runtime = options.runtimeOnly ? "AND stream = 'runtime'" : "";
    return this.#sql
      .exec(
        `SELECT stream, text, at FROM sandbox_logs WHERE sandbox_id = ? ${runtime} ORDER BY seq`,
        sandboxId,
      )
      .toArray()
      .map((row) => ({
        stream: row.stream as SandboxLogStream,
        text: String(row.text),
        at: new Date(Number(row.at)).toISOString(),
      }));
  }
}

export function toView(row: SandboxRow, nowMs: number): SandboxView {
  const startedAt = row.e2b_started_at;
  const endedAt = row.ended_at ?? nowMs;
  return {
    id: row.id,
    template: row.template,
    conversationId: row.conversation_id,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    maxExpiresAt: new Date(row.max_expires_at).toISOString(),
    previewUrl: row.status === "ready" ? row.preview_url : null,
    simulated: row.simulated === 1,
    steps: JSON.parse(row.steps) as SandboxStep[],
    failure: row.failure ? (JSON.parse(row.failure) as SandboxFailure) : null,
    execution: row.execution ? (JSON.parse(row.execution) as SandboxExecution) : null,
    sandboxSeconds: startedAt === null ? 0 : Math.max(0, Math.ceil((endedAt - startedAt) / 1000)),
  };
}
