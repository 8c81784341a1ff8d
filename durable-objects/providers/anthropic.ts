/**
 * Anthropic messages through the official SDK. Usage arrives in pieces:
 * input and cache figures in message_start, and a running total of output
 * tokens in each message_delta, so the last total wins (not the sum).
 */
import Anthropic from "@anthropic-ai/sdk";
import type { EventSourceMessage } from "eventsource-parser";
import { logger } from "../../worker/logger.ts";
import { classifyProviderError } from "./classify.ts";
import { abortedError, refusedError, truncatedError } from "./openai.ts";
import { serverSentEvents } from "./sse-events.ts";
import {
  type ChatProvider,
  emptyUsage,
  type ProviderEvent,
  type ProviderRequest,
} from "./types.ts";

const KNOWN_EVENTS = new Set<string>([
  "message_start",
  "message_delta",
  "message_stop",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
]);

export function createAnthropicProvider(options: {
  /** Shown to people; "anthropic" unless routing names the endpoint otherwise. */
  name?: string;
  apiKey: string;
  baseUrl?: string | undefined;
  headers?: Record<string, string>;
}): ChatProvider {
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    maxRetries: 0,
    defaultHeaders: options.headers,
  });

  return {
    name: options.name ?? "anthropic",
    async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
      const usage = emptyUsage();
      try {
        const response = await client.messages
          .create(
            {
              model: request.model,
              system: request.system,
              messages: request.messages,
              max_tokens: request.maxOutputTokens,
              stream: true,
            },
            { signal: request.signal, headers: request.headers },
          )
          .asResponse();

        yield { type: "open" };

        let finishReason = "end_turn";
        let stopped = false;
        for await (const message of serverSentEvents(response.body)) {
          const event = messageEvent(message, response.headers);
          if (event === null) continue;
          if (event.type === "message_start") {
            const start = event.message.usage;
            usage.inputTokens = start.input_tokens;
            usage.outputTokens = start.output_tokens;
            usage.cacheReadTokens = start.cache_read_input_tokens ?? 0;
            usage.cacheWriteTokens = start.cache_creation_input_tokens ?? 0;
          } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
            yield { type: "text", text: event.delta.text };
          } else if (event.type === "message_delta") {
            usage.outputTokens = event.usage.output_tokens;
            if (event.delta.stop_reason) finishReason = event.delta.stop_reason;
          } else if (event.type === "message_stop") {
            // Done: anything after it (some proxies add `data: [DONE]`) is not JSON (case S2a).
            stopped = true;
            break;
          } else if (!KNOWN_EVENTS.has(event.type)) {
            // A newer API may add events: skip them, but leave a trace (case S3).
            logger.info("provider.unknown_event", {
              provider: "anthropic",
              type: String(event.type),
            });
          }
        }
        yield { type: "usage", usage };
        if (request.signal.aborted) throw abortedError();
        if (!stopped) throw truncatedError(options.name ?? "anthropic");
        if (finishReason === "refusal") throw refusedError(options.name ?? "anthropic");
        yield { type: "finish", reason: finishReason };
      } catch (error) {
        // What was used before the failure is still billed: report it (case S4b).
        if (usage.inputTokens > 0) yield { type: "usage", usage };
        throw request.signal.aborted
          ? abortedError()
          : classifyProviderError(options.name ?? "anthropic", error);
      }
    },
  };
}

/**
 * One event of a Messages stream, read as the SDK's own stream reads it:
 * pings and unnamed events skipped, an `error` event thrown as the SDK's
 * APIError (so an overloaded stream is retried like a 529, case S4), data
 * that is not JSON after message_stop never parsed (case S2).
 */
function messageEvent(
  message: EventSourceMessage,
  headers: Headers,
): Anthropic.RawMessageStreamEvent | null {
  if (message.event === "ping" || message.event === undefined) return null;
  if (message.event === "error") {
    const body = safeJson(message.data) ?? message.data;
    const type = (body as { error?: { type?: Anthropic.ErrorType } } | null)?.error?.type;
    throw new Anthropic.APIError(undefined, body, undefined, headers, type);
  }
  if (!message.data) return null;
  return JSON.parse(message.data) as Anthropic.RawMessageStreamEvent;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
