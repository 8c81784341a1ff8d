/**
 * A small SSE client on undici for the load generator. It reads both streams
 * the benchmark compares, Kiln's (`event: delta`, `data: {"text":…}`) and the
 * simulator's OpenAI chunks (`data: {"choices":[{"delta":{"content":…}}]}`),
 * and reports each piece of text the moment it is parsed.
 */
import { createParser } from "eventsource-parser";
import { Agent, request } from "undici";

export type Target = {
  kind: "kiln" | "direct";
  url: string;
  headers: Record<string, string>;
  body: string;
};

export type StreamResult = {
  status: number;
  /** Milliseconds from sending the request to the response head. */
  ttfbMs: number | undefined;
  /** Milliseconds from sending the request to the first piece of text. */
  ttftMs: number | undefined;
  totalMs: number;
  textBytes: number;
  pieces: number;
  /** How the stream ended: `done`, `error` (an error event), `http` (not 200), `timeout`, `network`. */
  outcome: "done" | "error" | "http" | "timeout" | "network";
  detail?: string;
};

/** One connection pool per load process; connections are kept alive between requests. */
export const dispatcher = new Agent({
  connections: null,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
});

/** Wall-clock time in ms with sub-millisecond precision, comparable with the simulator's stamps. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export async function openStream(
  target: Target,
  options: { timeoutMs: number; onText?: (text: string) => void },
): Promise<StreamResult> {
  const startedAt = performance.now();
  const result: StreamResult = {
    status: 0,
    ttfbMs: undefined,
    ttftMs: undefined,
    totalMs: 0,
    textBytes: 0,
    pieces: 0,
    outcome: "network",
  };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);

  try {
    const response = await request(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...target.headers },
      body: target.body,
      dispatcher,
      signal: abort.signal,
    });
    result.ttfbMs = performance.now() - startedAt;
    result.status = response.statusCode;
    if (response.statusCode !== 200) {
      result.outcome = "http";
      result.detail = (await response.body.text()).slice(0, 300);
      return result;
    }

    const onText = (text: string) => {
      if (result.ttftMs === undefined) result.ttftMs = performance.now() - startedAt;
      result.pieces += 1;
      result.textBytes += text.length;
      options.onText?.(text);
    };
    const parser = createParser({
      onEvent: (event) => {
        const outcome = readEvent(target.kind, event.event, event.data, onText);
        if (outcome) result.outcome = outcome;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of response.body)
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    if (result.outcome === "network") result.detail = "stream ended without done";
  } catch (error) {
    result.outcome = abort.signal.aborted ? "timeout" : "network";
    result.detail = error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
    result.totalMs = performance.now() - startedAt;
  }
  return result;
}

function readEvent(
  kind: Target["kind"],
  name: string | undefined,
  data: string,
  onText: (text: string) => void,
): StreamResult["outcome"] | undefined {
  if (kind === "kiln") {
    if (name === "delta") onText((JSON.parse(data) as { text: string }).text);
    if (name === "done") return "done";
    if (name === "error") return "error";
    return undefined;
  }

  if (data === "[DONE]") return "done";
  const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
  const text = chunk.choices?.[0]?.delta?.content;
  if (text) onText(text);
  return undefined;
}

/** Reads the `@<ms>;` stamp the simulator puts at the start of a bench piece. */
export function readStamp(text: string): number | undefined {
  if (!text.startsWith("@")) return undefined;
  const end = text.indexOf(";");
  const stamp = Number(text.slice(1, end));
  return Number.isFinite(stamp) ? stamp : undefined;
}
