/**
 * A warm pool per template (size from the operator settings, off by
 * default): sandboxes created ahead of need, with no files, that a run takes
 * instead of waiting for a create. One row per warm sandbox. A taken one is
 * refilled in the background. Warm sandboxes that nobody takes end at their
 * E2B timeout by themselves; their idle seconds are Kiln's cost, not a team's.
 */
import type { SandboxTemplateId } from "../../contract/sandbox.ts";
import { logger } from "../../worker/logger.ts";
import { connectSandbox, createSandbox, type LiveSandbox } from "./e2b.ts";
import type { E2bConnection } from "./settings.ts";
import type { SandboxTemplate } from "./templates.ts";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS warm_sandboxes (
    e2b_id TEXT PRIMARY KEY,
    template TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
`;

/** A warm sandbox must have at least this much life left to be worth taking. */
const MIN_LIFE_LEFT_MS = 60_000;

export class WarmPool {
  readonly #sql: SqlStorage;
  readonly #filling = new Set<SandboxTemplateId>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  /** Takes a warm sandbox and gives it the run's lifetime, or null when there is none. */
  async take(input: {
    connection: E2bConnection;
    template: SandboxTemplate;
    timeoutMs: number;
    nowMs: number;
  }): Promise<LiveSandbox | null> {
    this.#sql.exec(
      "DELETE FROM warm_sandboxes WHERE expires_at < ?",
      input.nowMs + MIN_LIFE_LEFT_MS,
    );
    const row = this.#sql
      .exec(
        "SELECT e2b_id FROM warm_sandboxes WHERE template = ? ORDER BY expires_at LIMIT 1",
        input.template.id,
      )
      .toArray()[0];
    if (!row) return null;
    const e2bId = String(row.e2b_id);
    this.#sql.exec("DELETE FROM warm_sandboxes WHERE e2b_id = ?", e2bId);

    try {
      return await connectSandbox({
        connection: input.connection,
        e2bId,
        codeInterpreter: input.template.kind === "code",
        timeoutMs: input.timeoutMs,
      });
    } catch (error) {
      logger.warn("sandbox.warm_take_failed", { e2bId, error: String(error) });
      return null;
    }
  }

  /** Tops the pool up to `size`; one fill at a time per template. */
  async refill(input: {
    connection: E2bConnection;
    template: SandboxTemplate;
    size: number;
    ttlSeconds: number;
    teamId: string;
  }): Promise<void> {
    const { template } = input;
    if (input.size <= 0 || this.#filling.has(template.id)) return;
    this.#filling.add(template.id);
    try {
      while (this.count(template.id) < input.size) {
        const created = await createSandbox({
          connection: input.connection,
          e2bTemplate: template.e2bTemplate,
          codeInterpreter: template.kind === "code",
          timeoutMs: input.ttlSeconds * 1000,
          metadata: { kilnTeamId: input.teamId, kilnWarmPool: template.id },
          envs: template.port ? { PORT: String(template.port) } : {},
        });
        if (created.kind !== "created") break;
        this.#sql.exec(
          "INSERT INTO warm_sandboxes (e2b_id, template, expires_at) VALUES (?, ?, ?)",
          created.sandbox.sandboxId,
          template.id,
          Date.now() + input.ttlSeconds * 1000,
        );
      }
    } finally {
      this.#filling.delete(template.id);
    }
  }

  count(template: SandboxTemplateId): number {
    return Number(
      this.#sql.exec("SELECT count(*) AS n FROM warm_sandboxes WHERE template = ?", template).one()
        .n,
    );
  }
}
