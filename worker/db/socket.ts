/**
 * A Node-style socket over `cloudflare:sockets`, handed to postgres.js
 * through its `socket` option.
 *
 * postgres.js's own Workers socket emits 'error' from its read loop after
 * the connection has already closed and dropped its listeners; Node's
 * EventEmitter throws on an unheard 'error', which surfaces as an unhandled
 * rejection on every `sql.end()` (it fails the workerd test pool). Here an
 * error after close is dropped: nothing is waiting on that connection.
 */

import { connect } from "cloudflare:sockets";
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";

type Endpoint = { host: string[]; port: number[] };

export function connectPostgresSocket(endpoint: Endpoint): WorkerSocket {
  const host = endpoint.host[0] ?? "127.0.0.1";
  const port = endpoint.port[0] ?? 5432;
  return new WorkerSocket(connect({ hostname: host, port }));
}

class WorkerSocket extends EventEmitter {
  readyState: "open" | "closed" = "open";
  readonly #raw: Socket;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  constructor(raw: Socket) {
    super();
    this.#raw = raw;
    this.#writer = raw.writable.getWriter();
    raw.closed.then(
      () => this.#close(),
      (error: unknown) => this.#fail(error),
    );
    void this.#read(raw.readable.getReader());
  }

  write(data: Uint8Array, callback?: () => void): boolean {
    this.#writer.write(data).then(
      () => callback?.(),
      (error: unknown) => this.#fail(error),
    );
    return true;
  }

  end(data?: Uint8Array): void {
    const flushed = data ? this.#writer.write(data) : Promise.resolve();
    flushed
      .then(() => this.#raw.close())
      .catch(() => {})
      .finally(() => this.#close());
  }

  destroy(): void {
    this.end();
  }

  // postgres.js calls these on Node sockets; a Workers socket has no equivalent.
  setKeepAlive(): void {}
  pause(): void {}
  resume(): void {}

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>) {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.emit("data", Buffer.from(value));
      }
      this.#close();
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown) {
    if (this.readyState === "closed") return;
    if (this.listenerCount("error") > 0) this.emit("error", error);
    this.#close();
  }

  #close() {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    this.emit("close");
  }
}
