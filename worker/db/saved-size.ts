/**
 * How much of a message history keeps. A saved message travels to Postgres
 * as one Cloudflare Queue message, which holds 128 KB, so its text is kept
 * to MAX_SAVED_MESSAGE_BYTES of JSON: an answer or a person's message (with
 * its attachments) that is longer is saved cut and marked
 * `contentTruncated`, instead of being refused by the queue and lost. The
 * stream and the prompt are never cut by this.
 */
import type { Attachment } from "../../contract/api.ts";
import type { QueuedMessage } from "./write-queue.ts";

/**
 * In bytes of a message's JSON text (so at most as many characters). 8,192
 * output tokens are about 33,000 characters: a real answer is cut only when
 * its tokens are unusually long.
 */
export const MAX_SAVED_MESSAGE_BYTES = 100_000;

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).byteLength;

/** A start of `text` whose JSON string is at most `maxBytes` of UTF-8, cut in proportion. */
export function fitText(text: string, maxBytes: number): string {
  let kept = text;
  for (;;) {
    const bytes = jsonBytes(kept);
    // Nothing shorter exists: an empty string still costs its two quotes.
    if (bytes <= maxBytes || kept === "") return kept;
    const length = Math.floor((kept.length * maxBytes) / bytes) - 1;
    if (length <= 0) return "";
    kept = kept.slice(0, /[\ud800-\udbff]/.test(kept.charAt(length - 1)) ? length - 1 : length);
  }
}

/**
 * The person's message as history keeps it: whole when it fits, else the
 * text and then each attachment cut to what is left, marked.
 */
export function savedUserContent(
  message: string,
  attachments: Attachment[],
): Pick<QueuedMessage, "content" | "attachments" | "contentTruncated"> {
  let room = MAX_SAVED_MESSAGE_BYTES;
  const content = fitText(message, room);
  room -= jsonBytes(content);
  let cut = content.length < message.length;
  const kept = attachments.map((attachment) => {
    const budget = Math.max(0, room - jsonBytes({ ...attachment, content: "" }));
    const text = fitText(attachment.content, budget);
    room -= jsonBytes({ ...attachment, content: text });
    if (text.length < attachment.content.length) cut = true;
    return { ...attachment, content: text };
  });
  return { content, attachments: kept, ...(cut ? { contentTruncated: true } : {}) };
}
