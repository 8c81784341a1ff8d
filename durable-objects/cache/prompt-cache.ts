/**
 * The prompt/result cache in KV, scoped by team. The key is a SHA-256 of
 * everything that decides the answer: team, model, system prompt, the
 * normalised messages and the generation parameters.
 *
 * When caching is on (the documented rule, see README "Prompt cache"):
 * - KILN_PROMPT_CACHE is not "off";
 * - the person did not ask for a fresh answer ("Improve" and retries skip it);
 * - the stored answer was complete (`done` with finish reason `stop`); a cut,
 *   failed, stopped or length-truncated answer is never stored.
 * A hit replays as a stream marked `cached`, costs nothing and counts in the
 * ledger's cache hits. The team object knows which keys it stored, and
 * holds the recent answers (answer-cache.ts). A failed cache read is a miss and a failed write is
 * logged: neither ever fails the request.
 */
import type { ChatStreamEvent } from "../../contract/api.ts";
import { logger } from "../../worker/logger.ts";
import type { ChatMessage } from "../providers/types.ts";

export const PROMPT_CACHE_TTL_SECONDS = 24 * 60 * 60;
const REPLAY_CHUNK_CHARS = 256;

export type CachedAnswer = { text: string; finishReason: string; createdAt: string };

export function promptCacheEnabled(setting: string | undefined): boolean {
  return setting?.trim().toLowerCase() !== "off";
}

/** Whitespace at the ends and line endings do not change the answer; everything else might. */
function normalise(text: string): string {
  return text.replaceAll("\r\n", "\n").trim();
}

export async function promptCacheKey(options: {
  teamId: string;
  model: string;
  system: string;
  messages: ChatMessage[];
  maxOutputTokens: number;
}): Promise<string> {
  const material = JSON.stringify([
    options.model,
    normalise(options.system),
    options.messages.map((message) => [message.role, normalise(message.content)]),
    options.maxOutputTokens,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
  const hex = [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return `cache:v1:${options.teamId}:${hex}`;
}

export async function readCachedAnswer(kv: KVNamespace, key: string): Promise<CachedAnswer | null> {
  try {
    return await kv.get<CachedAnswer>(key, "json");
  } catch (error) {
    logger.warn("prompt_cache.read_failed", { error: String(error) });
    return null;
  }
}

/** False when the write failed (logged). */
export async function writeCachedAnswer(
  kv: KVNamespace,
  key: string,
  answer: CachedAnswer,
): Promise<boolean> {
  try {
    await kv.put(key, JSON.stringify(answer), { expirationTtl: PROMPT_CACHE_TTL_SECONDS });
    return true;
  } catch (error) {
    logger.warn("prompt_cache.write_failed", { error: String(error) });
    return false;
  }
}

/** The stored answer as the same events a live one sends, marked cached, with zero usage. */
export function cachedAnswerEvents(
  meta: Extract<ChatStreamEvent, { type: "meta" }>,
  answer: CachedAnswer,
): ChatStreamEvent[] {
  const events: ChatStreamEvent[] = [{ ...meta, cached: true }];
  const characters = Array.from(answer.text);
  for (let start = 0; start < characters.length; start += REPLAY_CHUNK_CHARS) {
    events.push({
      type: "delta",
      text: characters.slice(start, start + REPLAY_CHUNK_CHARS).join(""),
    });
  }
  events.push({
    type: "usage",
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  });
  events.push({ type: "done", finishReason: answer.finishReason });
  return events;
}
