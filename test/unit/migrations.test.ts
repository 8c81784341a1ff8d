/**
 * The migrations apply to a fresh database and re-apply without error:
 * on PGlite always, and on the PostgreSQL server too when DATABASE_URL is set.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../local/migrate.ts";
import { startLocalDatabase } from "../../local/pglite-server.ts";

const migrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url));

async function fileNames(dir: string) {
  return (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
}

async function checkFreshAndReapply(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const names = await fileNames(migrationsDir);
    const recorded = await sql<{ name: string }[]>`
      select name from public.kiln_schema_migrations order by name`;
    expect(recorded.map((row) => row.name)).toEqual(names);

    // Every file, the local bootstrap included, runs again over itself cleanly.
    for (const name of await fileNames(join(migrationsDir, "local"))) {
      await sql.unsafe(await readFile(join(migrationsDir, "local", name), "utf8"));
    }
    for (const name of names) {
      await sql.unsafe(await readFile(join(migrationsDir, name), "utf8"));
    }
    expect((await migrate(url)).applied).toEqual([]);

    const unprotected = await sql<{ relname: string }[]>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity`;
    expect(unprotected).toEqual([]);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe("migrations on PGlite", () => {
  it("apply to a fresh database and re-apply without error", async () => {
    const database = await startLocalDatabase();
    try {
      await checkFreshAndReapply(database.url);
    } finally {
      await database.stop();
    }
  }, 60_000);
});

const serverUrl = process.env.DATABASE_URL;

// Registered only when a server is named (CI), so a machine without one runs nothing here.
if (serverUrl)
  describe("migrations on the PostgreSQL server (DATABASE_URL)", () => {
    const name = `kiln_migrations_${process.pid}_${Date.now()}`;
    const admin = postgres(serverUrl ?? "", { max: 1, onnotice: () => {} });

    afterAll(async () => {
      await admin.unsafe(`drop database if exists ${name}`);
      await admin.end({ timeout: 5 });
    });

    it("apply to a fresh database and re-apply without error", async () => {
      await admin.unsafe(`create database ${name}`);
      const url = new URL(serverUrl ?? "");
      url.pathname = `/${name}`;
      const result = await migrate(url.toString());
      expect(result.bootstrapped).toBe(true);
      await checkFreshAndReapply(url.toString());
    }, 60_000);
  });
