/**
 * The server-sent events of a provider's streaming answer. The official
 * SDKs make the call (auth, headers, base URL, an APIError for any non-2xx
 * answer) and hand over the raw response; its body is read here, because
 * this loop runs once per chunk of every answer a team object streams.
 *
 * Reads go into one reused 16 KB buffer (a BYOB reader) and the bytes are
 * parsed by eventsource-parser, one streaming UTF-8 decoder per answer so a
 * character split across network chunks arrives whole (case S1). Through
 * the SDKs' own stream iterators each chunk cost a fresh buffer, a copy
 * into a growing array and four nested async generators: in figure 3 of
 * `npm run bench` (200 streams through one team object) workerd's CPU over
 * the level fell from 15.2 to 13.5 s with this reader.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

const READ_BYTES = 16 * 1024;
const DRAIN_MS = 1_000;
const DRAIN_BYTES = 64 * 1024;

export async function* serverSentEvents(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<EventSourceMessage, void, undefined> {
  if (!body) throw new Error("the streaming answer has no body");
  const reader = body.getReader({ mode: "byob" });
  const decoder = new TextDecoder();
  const parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => parsed.push(event) });
  let buffer = new ArrayBuffer(READ_BYTES);
  let ended = false;
  try {
    for (;;) {
      const read = await reader.read(new Uint8Array(buffer));
      if (read.done) break;
      // The read hands the buffer back (transferred): the next read fills it again.
      buffer = read.value.buffer as ArrayBuffer;
      parser.feed(decoder.decode(read.value, { stream: true }));
      for (let index = 0; index < parsed.length; index += 1)
        yield parsed[index] as EventSourceMessage;
      parsed.length = 0;
    }
    ended = true;
    // The decoder's last bytes; an event never closed by a blank line is not an event.
    parser.feed(decoder.decode());
    yield* parsed;
  } finally {
    if (!ended) void drain(reader, buffer);
  }
}

/**
 * The consumer stopped reading: at an answer's end marker, or because it
 * gave up. What is left of the body (after an end marker, the chunked
 * terminator, nearly always already here) is read to its end, so workerd
 * keeps the connection for the next call instead of closing it; a body
 * that does not end within DRAIN_MS or DRAIN_BYTES is cancelled.
 */
async function drain(reader: ReadableStreamBYOBReader, buffer: ArrayBuffer): Promise<void> {
  const timer = setTimeout(() => reader.cancel().catch(() => {}), DRAIN_MS);
  try {
    let left = DRAIN_BYTES;
    let view = new Uint8Array(buffer);
    while (left > 0) {
      const read = await reader.read(view);
      if (read.done) return;
      left -= read.value.byteLength;
      view = new Uint8Array(read.value.buffer);
    }
    await reader.cancel();
  } catch {
    // Aborted or cut: the connection goes, as it would have.
  } finally {
    clearTimeout(timer);
  }
}
