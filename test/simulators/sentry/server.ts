/**
 * A local Sentry ingest endpoint: accepts envelopes at
 * `POST /api/<project id>/envelope/` exactly as sentry.io does (the DSN
 * `http://<key>@127.0.0.1:<port>/<project id>` points the SDKs here), keeps
 * the serialised envelope byte for byte, and answers like Sentry (200 with
 * the event id). Tests read what was sent at `GET /_simulator/received` and
 * search the raw text, which is what would have left Kiln.
 */
import { type Recorder, sendJson, startRecorder } from "../recorder.ts";

export type SentrySimulator = Recorder & {
  /** A DSN for project 1 that sends here. */
  dsn: string;
};

const ENVELOPE_PATH = /^\/api\/(\d+)\/envelope\/?$/;

export async function startSentrySimulator(options: { port?: number } = {}) {
  const recorder = await startRecorder({
    port: options.port,
    answer: (request, response) => {
      if (request.method !== "POST" || !ENVELOPE_PATH.test(request.path)) {
        sendJson(response, 404, { detail: "not found" });
        return;
      }
      sendJson(response, 200, { id: envelopeEventId(request.body) });
    },
  });
  const { host } = new URL(recorder.url);
  return { ...recorder, dsn: `http://kilnpublickey@${host}/1` } satisfies SentrySimulator;
}

/** The envelope header is the first line: `{"event_id": "...", ...}`. */
export function envelopeEventId(envelope: string): string | null {
  try {
    const header = JSON.parse(envelope.split("\n")[0] ?? "{}") as { event_id?: string };
    return header.event_id ?? null;
  } catch {
    return null;
  }
}

/** The items of an envelope: header line, then pairs of item header and payload. */
export function envelopeItems(envelope: string): { type: string; payload: unknown }[] {
  const lines = envelope.split("\n").filter((line) => line.length > 0);
  const items: { type: string; payload: unknown }[] = [];
  for (let index = 1; index + 1 < lines.length; index += 2) {
    const header = JSON.parse(lines[index] ?? "{}") as { type?: string };
    items.push({ type: header.type ?? "unknown", payload: JSON.parse(lines[index + 1] ?? "null") });
  }
  return items;
}
