/**
 * `npm run db:migrate`: applies the timestamped `migrations/*.sql` to the
 * database named by DATABASE_URL (a Supabase project's direct or
 * session-pooler connection string), each once, recorded in
 * `public.kiln_schema_migrations`. Never the `migrations/local/` bootstrap:
 * a database without Supabase's `auth` schema is refused.
 *
 * The deploy workflows run it before the new Worker version is uploaded, so
 * every migration must keep the previous version working (README, "Changing
 * schemas safely").
 *
 * A host that drops packets, or a port that accepts and never answers, fails
 * after KILN_DB_CONNECT_TIMEOUT_SECONDS (10 by default) instead of hanging
 * the deploy job.
 */
import postgres from "postgres";
import { migrate } from "../local/migrate.ts";

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("db:migrate: set DATABASE_URL to the target database's connection string.");
  process.exit(2);
}

const connectTimeoutSeconds = Number(
  process.env.KILN_DB_CONNECT_TIMEOUT_SECONDS || DEFAULT_CONNECT_TIMEOUT_SECONDS,
);
if (!Number.isFinite(connectTimeoutSeconds) || connectTimeoutSeconds <= 0) {
  console.error(
    "db:migrate: KILN_DB_CONNECT_TIMEOUT_SECONDS must be a positive number of seconds.",
  );
  process.exit(2);
}

// Something that answers but is not Postgres (a proxy, an HTTP server) can
// leave postgres.js waiting past its connect timeout: a first query must
// answer within the same time, or the run fails here.
if (!(await answersInTime(databaseUrl, connectTimeoutSeconds))) {
  console.error(
    `db:migrate: failed: no answer from the database at ${hostOf(databaseUrl)} within ${connectTimeoutSeconds} s ` +
      "(check the host, the port and that this runner may reach it; " +
      "KILN_DB_CONNECT_TIMEOUT_SECONDS sets the wait)",
  );
  process.exit(1);
}

try {
  const { applied } = await migrate(databaseUrl, {
    localBootstrap: false,
    connectTimeoutSeconds,
  });
  console.log(
    applied.length === 0
      ? "db:migrate: the database is up to date"
      : `db:migrate: applied ${applied.length}: ${applied.join(", ")}`,
  );
} catch (error) {
  // The connection string carries a password: name the host, never the URL.
  const target = hostOf(databaseUrl);
  const code = (error as { code?: unknown }).code;
  console.error(
    code === "CONNECT_TIMEOUT"
      ? `db:migrate: failed: no answer from the database at ${target} within ${connectTimeoutSeconds} s ` +
          "(check the host, the port and that this runner may reach it; " +
          "KILN_DB_CONNECT_TIMEOUT_SECONDS sets the wait)"
      : `db:migrate: failed (database at ${target}): ${redacted(error, databaseUrl)}`,
  );
  process.exitCode = 1;
}

/** True when `select 1` answers in time; a refusal or error also answers (migrate reports it). */
async function answersInTime(url: string, seconds: number): Promise<boolean> {
  let sql: postgres.Sql;
  try {
    sql = postgres(url, { max: 1, connect_timeout: seconds, onnotice: () => {} });
  } catch {
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    sql`select 1`.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), seconds * 1000);
    }),
  ]);
  clearTimeout(timer);
  // Not awaited: on a connection stuck like this, end() itself may never settle.
  void sql.end({ timeout: 0 }).catch(() => {});
  return answered;
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}`;
  } catch {
    return "an unparseable DATABASE_URL";
  }
}

function redacted(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {}
  return password ? message.replaceAll(password, "***") : message;
}
