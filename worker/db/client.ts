/**
 * Postgres through the Hyperdrive binding, with postgres.js (node-postgres
 * leaves an unhandled rejection inside the Workers test pool). Hyperdrive
 * pools the real connections, so a client is cheap: one per request, ended
 * when the request is done, because Workers cannot share I/O objects across
 * requests.
 */
import postgres from "postgres";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { connectPostgresSocket } from "./socket.ts";

export type Sql = postgres.Sql;

export function createSql(env: Env): Sql {
  const options: postgres.Options<Record<string, never>> & {
    socket: typeof connectPostgresSocket;
  } = {
    max: 3,
    // Hyperdrive caches the catalog; skipping the type fetch saves a round trip.
    fetch_types: false,
    connect_timeout: 5,
    idle_timeout: 5,
    onnotice: () => {},
    socket: connectPostgresSocket,
  };
  // postgres.js reads `socket` at run time but its published types omit it.
  return postgres(env.HYPERDRIVE.connectionString, options);
}

/** Runs `work` with a fresh client and always ends it, translating connection failures. */
export async function withSql<T>(env: Env, work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = createSql(env);
  try {
    return await work(sql);
  } catch (error) {
    throw translateDatabaseError(error);
  } finally {
    await sql.end({ timeout: 2 }).catch(() => {});
  }
}

/** True when Postgres could not be reached at all, as opposed to refusing a statement. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (
    code === "ECONNREFUSED" ||
    code === "CONNECT_TIMEOUT" ||
    code === "CONNECTION_CLOSED" ||
    code === "CONNECTION_ENDED" ||
    code === "CONNECTION_DESTROYED"
  ) {
    return true;
  }
  // workerd's sockets fail a refused or dropped connection with this message and no code.
  return (
    error instanceof Error && /network connection lost|connection refused/i.test(error.message)
  );
}

function translateDatabaseError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (!isConnectionFailure(error)) return error;
  return new ApiError({
    status: 503,
    code: "database_unavailable",
    message: "The database is not reachable right now.",
    hint: "Try again in a moment.",
    cause: error,
  });
}
