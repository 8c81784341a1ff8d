/**
 * Applies `migrations/*.sql` in name order to a Postgres database, once each,
 * recording what ran in `public.kiln_schema_migrations`.
 *
 * The local bootstrap (`migrations/local/`) stands in for objects a Supabase
 * project already has; it is applied only when the database has no
 * `auth.users` table, so it can never touch a real Supabase project. Deploys
 * (`scripts/migrate.ts`) turn it off altogether: a deploy target without
 * `auth.users` is refused, not bootstrapped.
 *
 * A session advisory lock makes two runs against one database (two deploys
 * racing) apply each file once: the second waits, then finds it recorded.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const migrationsDir = fileURLToPath(new URL("../migrations/", import.meta.url));

export type MigrationResult = { applied: string[]; bootstrapped: boolean };

export type MigrateOptions = {
  /** Apply `migrations/local/` to a database without `auth.users`; false for deploys. */
  localBootstrap?: boolean;
  /** How long to wait for the server to accept and answer the login; postgres.js waits 30 s. */
  connectTimeoutSeconds?: number;
};

/** Any fixed number: every Kiln migration run takes the same lock. */
const MIGRATION_LOCK_KEY = 7_303_202_612;

export async function migrate(
  databaseUrl: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    ...(options.connectTimeoutSeconds === undefined
      ? {}
      : { connect_timeout: options.connectTimeoutSeconds }),
  });

  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    const bootstrapped =
      options.localBootstrap === false
        ? await requireSupabaseAuthSchema(sql)
        : await applyLocalBootstrapIfNeeded(sql);

    await sql`
      create table if not exists public.kiln_schema_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      )`;
    const done = new Set(
      (await sql<{ name: string }[]>`select name from public.kiln_schema_migrations`).map(
        (row) => row.name,
      ),
    );

    const applied: string[] = [];
    for (const name of await listSqlFiles(migrationsDir)) {
      if (done.has(name)) continue;
      const text = await readFile(join(migrationsDir, name), "utf8");
      await sql.begin(async (tx) => {
        await tx.unsafe(text);
        await tx`insert into public.kiln_schema_migrations (name) values (${name})`;
      });
      applied.push(name);
    }
    return { applied, bootstrapped };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function requireSupabaseAuthSchema(sql: postgres.Sql): Promise<false> {
  const [row] = await sql<{ exists: boolean }[]>`
    select to_regclass('auth.users') is not null as exists`;
  if (!row?.exists) {
    throw new Error(
      "This database has no auth.users table, so it is not a Supabase project's database. " +
        "Deploy migrations only run against Supabase; point DATABASE_URL at the project's " +
        "direct or session-pooler connection string.",
    );
  }
  return false;
}

async function applyLocalBootstrapIfNeeded(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql<{ exists: boolean }[]>`
    select to_regclass('auth.users') is not null as exists`;
  if (row?.exists) return false;

  const localDir = join(migrationsDir, "local");
  for (const name of await listSqlFiles(localDir)) {
    await sql.unsafe(await readFile(join(localDir, name), "utf8"));
  }
  return true;
}

async function listSqlFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((name) => name.endsWith(".sql")).sort();
}

/**
 * Hyperdrive (and wrangler's local emulation of it) refuses a connection
 * string without a password, even where the server trusts local connections;
 * such a URL gets a placeholder password the server ignores.
 */
export function withPasswordForHyperdrive(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (!url.password) url.password = "unused";
  return url.toString();
}
