/**
 * Every Postgres migration keeps the previous Worker version working (it
 * runs before the new version takes traffic, and a rollback goes back to the
 * previous version with the new schema in place): README, "Changing schemas
 * safely".
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../local/stack.ts";
import { unsafeStatements } from "../../scripts/migrations/safety.ts";

describe("migration safety", () => {
  it("finds no destructive statement in the repository's migrations", async () => {
    const folder = join(projectRoot, "migrations");
    const files = (await readdir(folder)).filter((name) => name.endsWith(".sql"));
    const unsafe = [];
    for (const name of files) {
      unsafe.push(...unsafeStatements(name, await readFile(join(folder, name), "utf8")));
    }
    expect(unsafe).toEqual([]);
  });

  it.each([
    ["alter table public.teams drop column name;", "drops a column"],
    ["alter table public.teams rename column name to title;", "renames a table or column"],
    ["alter table public.teams rename to workspaces;", "renames a table or column"],
    ["drop table public.messages;", "drops a table or view"],
    ["alter table public.teams alter column name type varchar(50);", "changes a column's type"],
    [
      "alter table public.teams alter column name set not null;",
      "makes an existing column NOT NULL",
    ],
    [
      "alter table public.teams add column plan text not null;",
      "adds a NOT NULL column without a default",
    ],
  ])("flags %s", (statement, rule) => {
    const [found] = unsafeStatements("x.sql", `-- A change.\n\n${statement}\n`);
    expect(found).toMatchObject({ rule, line: 3 });
  });

  it("allows additive changes, and a contract step that says why it is safe now", () => {
    const sql = [
      "alter table public.teams add column plan text not null default 'free';",
      "alter table public.teams add column if not exists archived_at timestamptz;",
      "create index if not exists teams_plan_idx on public.teams (plan);",
      "-- contract: no deployed version reads teams.legacy_flag since 2026-11 (v0.3).",
      "alter table public.teams drop column legacy_flag;",
      "-- Keep the old column; drop it in a later release.",
    ].join("\n");

    expect(unsafeStatements("x.sql", sql)).toEqual([]);
  });
});
