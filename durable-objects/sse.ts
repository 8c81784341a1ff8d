import type { ChatStreamEvent } from "../contract/api.ts";

const encoder = new TextEncoder();

/**
 * One SSE event: `id`, `event` named by the type, and the rest as one JSON
 * `data` line (JSON.stringify never emits a raw newline, so one line holds).
 */
export function encodeEvent(id: number, event: ChatStreamEvent): Uint8Array {
  const { type, ...data } = event;
  return encoder.encode(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // no-transform keeps proxies from compressing or buffering the stream.
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;

/** An SSE comment line: parsers ignore it, proxies see traffic. */
export function encodeComment(text: string): Uint8Array {
  return encoder.encode(`: ${text}\n\n`);
}
