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
  const stopWatchdog = watchIdleTransactions({ db, server });

  const address = server.getServerConn();
  const port = Number(address.split(":").at(-1));
  const url = `postgres://postgres:postgres@${host}:${port}/postgres?sslmode=disable`;
  await migrate(url);

  return {
    url,
    port,
    async stop() {
      stopWatchdog();
      await server.stop();
      await db.close();
    },
  };
}

/** Longest a connection may sit idle inside a transaction while others wait. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;
const WATCH_INTERVAL_MS = 250;

/** The parts of pglite-socket's server this reads: not in its published types. */
type SocketServerInternals = {
  queryQueue: { queue: { handlerId: number }[]; lastHandlerId: number | null };
  handlers: Set<{ handlerId: number; detach(close?: boolean): Promise<unknown> }>;
};

/**
 * PGlite has one session, so pglite-socket runs only the statements of the
 * connection that holds an open transaction until it ends. A connection
 * abandoned mid-transaction (a cancelled request whose socket stays in
 * wrangler's local Hyperdrive pool) would then stall every other connection
 * for good, where a real server only blocks that one session. Like Postgres's
 * idle_in_transaction_session_timeout, this closes such a connection (which
 * rolls its transaction back) once others have waited for it too long.
 */
function watchIdleTransactions(options: { db: PGlite; server: PGLiteSocketServer }) {
  const internals = options.server as unknown as SocketServerInternals;
  let stalledSinceMs: number | null = null;
  let lastHolder: number | null = null;

  const timer = setInterval(() => {
    const queue = internals.queryQueue;
    const holder = queue.lastHandlerId;
    // Others wait, and the transaction's own connection has nothing queued: it is idle.
    const waiting =
      options.db.isInTransaction() &&
      queue.queue.length > 0 &&
      !queue.queue.some((entry) => entry.handlerId === holder);
    if (!waiting || holder !== lastHolder) {
      stalledSinceMs = waiting ? Date.now() : null;
      lastHolder = holder;
      return;
    }
    stalledSinceMs ??= Date.now();
    if (Date.now() - stalledSinceMs < IDLE_IN_TRANSACTION_TIMEOUT_MS) return;

    stalledSinceMs = null;
    for (const handler of internals.handlers) {
      if (handler.handlerId === holder) void handler.detach(true);
    }
  }, WATCH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
