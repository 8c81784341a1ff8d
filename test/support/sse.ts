/** Reads a chat answer the way the SPA does: eventsource-parser over the byte stream. */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { ChatStreamEvent } from "../../contract/api.ts";

export type ReceivedEvent = { id: string | undefined; event: ChatStreamEvent };

export async function readChatEvents(response: Response): Promise<ReceivedEvent[]> {
  if (!response.body) throw new Error("response has no body");
  const events: ReceivedEvent[] = [];
  const stream = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const message of stream) {
    const data = JSON.parse(message.data) as Record<string, unknown>;
    events.push({ id: message.id, event: { type: message.event, ...data } as ChatStreamEvent });
  }
  return events;
}

export function joinedText(events: ReceivedEvent[]): string {
  return events.map(({ event }) => (event.type === "delta" ? event.text : "")).join("");
}
