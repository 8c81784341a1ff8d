/**
 * A webhook receiver for tests: records every POST body, and answers
 * `GET /received` with what it recorded, so workerd tests can check what
 * Kiln posted (budget alerts) through a real HTTP round trip.
 */
import { createServer } from "node:http";

export type WebhookRecorder = { url: string; close(): Promise<void> };

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const received: unknown[] = [];
  const server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(received));
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      try {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        received.push({ unparsable: true });
      }
      response.writeHead(204);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
