/**
 * The embedded Postgres for local runs: PGlite served over the Postgres wire
 * protocol on a local TCP port, so the Worker reaches it through the same
 * Hyperdrive binding and postgres.js code it uses in production.
 *
 * PGlite is one Postgres session, and every connection shares it. A real
 * server gives each connection its own session, so this server hands the one
 * session to one connection at a time, for as long as the protocol needs it:
 *
 * - from a connection's first message to its Sync (extended protocol) or the
 *   end of its simple Query, so another connection's Parse or Bind can never
 *   land in between and replace the one unnamed statement and portal
 *   (`portal "" does not exist`);
 * - for a whole transaction, until the session is idle again;
 * - never past a transaction its connection leaves idle while others wait:
 *   like Postgres's `idle_in_transaction_session_timeout`, that transaction is
 *   rolled back and the connection's next statement fails with the reason
 *   (the connection stays open: see `expire`).
 *
 * `@electric-sql/pglite-socket` queues message by message instead, which
 * interleaves concurrent connections' extended-protocol sequences.
 */
import { createServer, type Server, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
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
  /** Apply Kiln's migrations once listening (the default). */
  migrate?: boolean;
  /** How long a connection may hold the session idle inside a transaction while others wait. */
  idleInTransactionTimeoutMs?: number;
};

/**
 * Kiln's transactions run their statements back to back, so a holder idle
 * this long has been abandoned; it stays under postgres.js's 5 s connect
 * timeout, so the connections queued behind it still get in.
 */
const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 2_000;

export async function startLocalDatabase(
  options: LocalDatabaseOptions = {},
): Promise<LocalDatabase> {
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const host = options.host ?? "127.0.0.1";
  const session = new SharedSession(
    db,
    options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  );
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    new WireConnection(socket, session).start();
  });
  const port = await listen(server, options.port ?? 0, host);
  const url = `postgres://postgres:postgres@${host}:${port}/postgres?sslmode=disable`;
  if (options.migrate !== false) await migrate(url);

  return {
    url,
    port,
    async stop() {
      session.close();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("the embedded Postgres has no TCP address"));
        return;
      }
      resolve(address.port);
    });
  });
}

type Holder = {
  /** Called when the holder's transaction was rolled back for idling while others waited. */
  expire(): void;
};

/** A Sync message: ends whatever extended-protocol sequence a departed connection left open. */
const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4]);

/** PGlite's one session, lent to one connection at a time. */
class SharedSession {
  #holder: Holder | null = null;
  /** The holder is running a message (not idle between messages). */
  #busy = false;
  /** The holder stopped between an extended-protocol message and its Sync. */
  #midSequence = false;
  #waiting: { holder: Holder; grant(granted: boolean): void }[] = [];
  #idleTimer: NodeJS.Timeout | undefined;
  /** When the holder last finished a message: its idle time counts from here. */
  #idleSinceMs = 0;
  #closed = false;

  constructor(
    readonly db: PGlite,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Resolves true once `holder` has the session, or false if it left while waiting. */
  acquire(holder: Holder): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#holder === holder || this.#holder === null) {
      this.#holder = holder;
      this.#busy = true;
      this.#stopIdleTimer();
      return Promise.resolve(true);
    }
    return new Promise((grant) => {
      this.#waiting.push({ holder, grant });
      // A new waiter starts no new clock: the holder's idle time runs from its last message.
      if (!this.#idleTimer) this.#armIdleTimer();
    });
  }

  /**
   * The holder finished a message. The session goes to the next connection
   * only at a protocol boundary outside a transaction.
   */
  settle(holder: Holder, atBoundary: boolean) {
    if (this.#closed || this.#holder !== holder) return;
    this.#busy = false;
    this.#idleSinceMs = Date.now();
    this.#midSequence = !atBoundary;
    if (atBoundary && !this.db.isInTransaction()) this.#handOver();
    else this.#armIdleTimer();
  }

  /** The connection is gone: undo what it left open and move on. */
  async leave(holder: Holder): Promise<void> {
    for (const entry of this.#waiting.filter((waiting) => waiting.holder === holder)) {
      entry.grant(false);
    }
    this.#waiting = this.#waiting.filter((entry) => entry.holder !== holder);
    // After stop() the database is closed: sockets closing then have nothing to undo.
    if (this.#closed || this.#holder !== holder) return;
    this.#stopIdleTimer();
    await this.#cleanUp();
    this.#handOver();
  }

  /** Before the database closes: waiting connections are turned away, nothing more runs. */
  close() {
    this.#closed = true;
    this.#stopIdleTimer();
    for (const entry of this.#waiting) entry.grant(false);
    this.#waiting = [];
  }

  /** Only an idle holder with someone waiting is on the clock. */
  #armIdleTimer() {
    this.#stopIdleTimer();
    if (this.#closed || this.#holder === null || this.#busy || this.#waiting.length === 0) return;
    const holder = this.#holder;
    const leftMs = Math.max(0, this.idleTimeoutMs - (Date.now() - this.#idleSinceMs));
    this.#idleTimer = setTimeout(() => void this.#expire(holder), leftMs);
    this.#idleTimer.unref();
  }

  #stopIdleTimer() {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  async #expire(holder: Holder) {
    if (this.#closed || this.#holder !== holder || this.#busy) return;
    this.#busy = true;
    await this.#cleanUp();
    holder.expire();
    this.#handOver();
  }

  /** Ends a half-sent sequence and rolls back an open transaction. */
  async #cleanUp() {
    if (this.#midSequence) {
      await this.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: () => {} }).catch(() => {});
      this.#midSequence = false;
    }
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK").catch(() => {});
  }

  #handOver() {
    this.#stopIdleTimer();
    const next = this.#waiting.shift();
    this.#holder = next?.holder ?? null;
    this.#busy = next !== undefined;
    next?.grant(true);
  }
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TYPE_SYNC = 0x53; // 'S'
const TYPE_QUERY = 0x51; // 'Q'
const TYPE_TERMINATE = 0x58; // 'X'
const TYPE_FUNCTION_CALL = 0x46; // 'F'

/** One client's socket: frames its messages and runs them on the shared session in order. */
class WireConnection implements Holder {
  #buffer: Buffer = Buffer.alloc(0);
  #started = false;
  /** No more messages run: the client left, terminated, or was expired. */
  #ended = false;
  #running = false;
  /** Set by expire(): the next statement fails, and the rest of its sequence is skipped. */
  #expired: "pending" | "skipping" | null = null;
  #draining: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly session: SharedSession,
  ) {}

  start() {
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#draining = this.#draining.then(() => this.#drain());
    });
    this.socket.on("error", () => this.#gone());
    this.socket.on("close", () => this.#gone());
  }

  /**
   * Its transaction was rolled back for idling while others waited. Postgres
   * would close the connection; postgres.js then crashes on its next write
   * and wrangler's proxy on the reset, so the connection stays open and its
   * next statement fails with the reason instead.
   */
  expire() {
    this.#expired = "pending";
  }

  async #drain() {
    while (!this.#ended) {
      const message = this.#nextMessage();
      if (!message) return;
      await this.#handle(message);
    }
  }

  /** The next whole message, or undefined until more bytes arrive. */
  #nextMessage(): Buffer | undefined {
    // Before the startup message, messages have no type byte: length first.
    const headerLength = this.#started ? 5 : 4;
    if (this.#buffer.length < headerLength) return undefined;
    const length = this.#started ? 1 + this.#buffer.readInt32BE(1) : this.#buffer.readInt32BE(0);
    if (this.#buffer.length < length) return undefined;
    const message = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return message;
  }

  async #handle(message: Buffer) {
    if (!this.#started) {
      const code = message.length >= 8 ? message.readInt32BE(4) : 0;
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        this.#send(Buffer.from("N"));
        return;
      }
      if (code === CANCEL_REQUEST) {
        // One shared session has no other backend to cancel.
        this.#finish();
        return;
      }
      this.#started = true;
      await this.#run(message, true);
      return;
    }
    const type = message[0];
    if (type === TYPE_TERMINATE) {
      this.#finish();
      await this.session.leave(this);
      return;
    }
    const atBoundary = type === TYPE_SYNC || type === TYPE_QUERY || type === TYPE_FUNCTION_CALL;
    if (this.#expired) {
      this.#answerExpired(atBoundary);
      return;
    }
    await this.#run(message, atBoundary);
  }

  async #run(message: Buffer, atBoundary: boolean) {
    if (!(await this.session.acquire(this))) return;
    if (this.#ended) {
      await this.session.leave(this);
      return;
    }
    this.#running = true;
    try {
      await this.session.db.execProtocolRawStream(new Uint8Array(message), {
        onRawData: (data) => this.#send(Buffer.from(data)),
      });
    } catch (error) {
      this.#send(
        errorResponse({
          severity: "FATAL",
          code: "XX000",
          message: `embedded Postgres failed: ${(error as Error).message}`,
        }),
      );
      this.#finish();
    } finally {
      this.#running = false;
    }
    if (this.#ended) await this.session.leave(this);
    else this.session.settle(this, atBoundary);
  }

  /** Like a backend after an error: one ErrorResponse, then nothing until the Sync. */
  #answerExpired(atBoundary: boolean) {
    if (this.#expired === "pending") {
      this.#send(
        errorResponse({
          severity: "ERROR",
          code: "25P03",
          message:
            "the transaction was rolled back: it sat idle while other connections waited (idle-in-transaction timeout)",
        }),
      );
      this.#expired = "skipping";
    }
    if (!atBoundary) return;
    this.#send(READY_FOR_QUERY_IDLE);
    this.#expired = null;
  }

  #send(data: Buffer) {
    if (data.length > 0 && this.socket.writable) this.socket.write(data);
  }

  /** Stops running messages and closes gracefully (FIN, never a reset). */
  #finish() {
    this.#ended = true;
    this.socket.end();
  }

  /** The socket closed or failed: give the session back unless a message is mid-run. */
  #gone() {
    this.#ended = true;
    if (!this.#running) void this.session.leave(this);
  }
}

const READY_FOR_QUERY_IDLE = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]); // 'Z', length 5, 'I'

/** A Postgres ErrorResponse message. */
function errorResponse(fields: { severity: string; code: string; message: string }): Buffer {
  const body = Buffer.concat([
    field("S", fields.severity),
    field("V", fields.severity),
    field("C", fields.code),
    field("M", fields.message),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

function field(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(name), Buffer.from(value, "utf8"), Buffer.from([0])]);
}
