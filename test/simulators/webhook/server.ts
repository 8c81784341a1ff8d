/**
 * A local receiver for Slack-compatible alert webhooks and for the OTLP/HTTP
 * collector: both only ever receive posts, which it keeps for tests to read
 * at `GET /_simulator/received`. Slack answers a good post with `ok`.
 */
import { startRecorder } from "../recorder.ts";

export async function startWebhookReceiver(options: { port?: number } = {}) {
  return startRecorder({
    port: options.port,
    answer: (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("ok");
    },
  });
}
