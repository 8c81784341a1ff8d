/**
 * Server-sent events as both providers frame them: an optional `event:` line,
 * one `data:` line, a blank line. Every write waits for the socket to take the
 * bytes, so a slow or departed client is noticed instead of buffered for.
 */
import type { ServerResponse } from "node:http";
import type { Faults } from "./faults.ts";

export type SseEvent = {
  event?: string;
  data: string;
};

export type SseStream = {
  send(event: SseEvent): Promise<void>;
  end(): void;
};

export function encodeSseEvent(event: SseEvent): Buffer {
  const eventLine = event.event === undefined ? "" : `event: ${event.event}\n`;
  return Buffer.from(`${eventLine}data: ${event.data}\n\n`, "utf8");
}

/** Cuts bytes into pieces of `size` bytes, ignoring character boundaries on purpose. */
export function sliceBytes(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.byteLength; start += size) {
    pieces.push(bytes.subarray(start, start + size));
  }
  return pieces;
}

/**
 * Sends the 200 head at once, as both APIs do, so an SDK's `create()` resolves
 * before the first token; headers set on `response` beforehand go with it.
 */
export function openSseStream(options: {
  response: ServerResponse;
  faults: Faults;
  signal: AbortSignal;
}): SseStream {
  const { response, faults, signal } = options;

  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
  response.flushHeaders();

  return {
    async send(event) {
      const bytes = encodeSseEvent(event);
      const pieces =
        faults.splitBytes === undefined ? [bytes] : sliceBytes(bytes, faults.splitBytes);

      for (const piece of pieces) {
        await writeBytes({ response, bytes: piece, signal });

        // A turn of the event loop between pieces lets each one leave as its
        // own TCP segment instead of being coalesced with the next.
        if (faults.splitBytes !== undefined) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    },

    end() {
      if (!signal.aborted) {
        response.end();
      }
    },
  };
}

/** Resolves once the socket has taken the bytes, or once the client has gone. */
function writeBytes(options: {
  response: ServerResponse;
  bytes: Uint8Array;
  signal: AbortSignal;
}): Promise<void> {
  const { response, bytes, signal } = options;
  if (signal.aborted) {
    return Promise.resolve();
  }

  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    response.write(bytes, done);
  });
}
