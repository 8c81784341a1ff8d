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
 */
import { migrate } from "../local/migrate.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("db:migrate: set DATABASE_URL to the target database's connection string.");
  process.exit(2);
}

try {
  const { applied } = await migrate(databaseUrl, { localBootstrap: false });
  console.log(
    applied.length === 0
      ? "db:migrate: the database is up to date"
      : `db:migrate: applied ${applied.length}: ${applied.join(", ")}`,
  );
} catch (error) {
  // The connection string carries a password: report the failure, never the URL.
  console.error(`db:migrate: failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
