/**
 * The embedded Postgres for local runs: PGlite served over the Postgres wire
 * protocol on a local TCP port, so the Worker reaches it through the same
 * Hyperdrive binding and postgres.js code it uses in production.
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { migrate } from "./migrate.ts";

export type LocalDatabase = {
  url: string;
  port: number;
  stop(): Promise<void>;
};

export type LocalDatabaseOptions = {
  /** A folder to keep data in between runs; in memory when absent. */
  dataDir?: string;
  port?: number;
  host?: string;
};

export async function startLocalDatabase(
  options: LocalDatabaseOptions = {},
): Promise<LocalDatabase> {
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const host = options.host ?? "127.0.0.1";

  // PGlite runs one query at a time; pglite-socket queues the statements of
  // every connection onto it. Its default of one connection makes wrangler's
  // local Hyperdrive proxy crash when an extra connection is refused, so the
  // cap sits far above anything a local run opens.
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: 1000,
  });
  await server.start();

  const address = server.getServerConn();
  const port = Number(address.split(":").at(-1));
  const url = `postgres://postgres:postgres@${host}:${port}/postgres?sslmode=disable`;
  await migrate(url);

  return {
    url,
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
