/**
 * A local HTTP receiver that keeps every request body it is sent, for the
 * network edges Kiln only ever posts to (Sentry, alert webhooks, the OTLP
 * collector). Tests inside workerd cannot read this process's memory, so
 * what was received is served back at `GET /_simulator/received`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";

export type ReceivedRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The full URL as sent, query string included (the Sentry DSN key travels there). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, gunzipped when it came compressed. */
  body: string;
  receivedAt: number;
};

export type Recorder = {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
};

export type RecorderRoute = (request: ReceivedRequest, response: ServerResponse) => void;

export async function startRecorder(options: {
  port?: number;
  /** Answers one received request; the default is `200 {}`. */
  answer?: RecorderRoute;
}): Promise<Recorder> {
  const received: ReceivedRequest[] = [];

  const server = createServer((request, response) => {
    // workerd resets connections still open when a test file's isolate ends
    // (a span export in waitUntil, say); a reset is not a failure to report.
    request.on("error", () => {});
    void readBody(request)
      .catch(() => null)
      .then((body) => {
        if (body === null) return;
        const url = request.url ?? "/";
        const path = new URL(url, "http://recorder").pathname;
        if (request.method === "GET" && path === "/_simulator/received") {
          sendJson(response, 200, { received });
          return;
        }

        const record: ReceivedRequest = {
          method: request.method ?? "GET",
          path,
          url,
          headers: request.headers,
          body,
          receivedAt: Date.now(),
        };
        received.push(record);
        if (options.answer) options.answer(record, response);
        else sendJson(response, 200, {});
      });
  });

  server.on("connection", (socket) => socket.on("error", () => {}));

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown) {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(bytes.byteLength),
  });
  response.end(bytes);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  const bytes = Buffer.concat(chunks);
  const gzipped = request.headers["content-encoding"] === "gzip";
  return (gzipped ? gunzipSync(bytes) : bytes).toString("utf8");
}
