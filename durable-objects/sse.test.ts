import { EventSourceParserStream } from "eventsource-parser/stream";
import { describe, expect, it } from "vitest";
import { encodeEvent } from "./sse.ts";

async function parse(bytes: Uint8Array[]) {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of bytes) controller.enqueue(chunk);
      controller.close();
    },
  })
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  const out: { id?: string | undefined; event?: string | undefined; data: string }[] = [];
  for await (const message of stream) out.push(message);
  return out;
}

describe("encodeEvent", () => {
  it("survives a split at every byte, including inside multibyte characters (S1)", async () => {
    const text = "She said “hi” ✨ then 😀\nnew line";
    const bytes = encodeEvent(7, { type: "delta", text });

    for (let offset = 1; offset < bytes.length; offset++) {
      const [message] = await parse([bytes.slice(0, offset), bytes.slice(offset)]);
      expect(message).toMatchObject({ id: "7", event: "delta" });
      expect(JSON.parse(message?.data ?? "{}").text).toBe(text);
    }
  });
});
