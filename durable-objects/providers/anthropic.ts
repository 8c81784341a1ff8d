/**
 * Anthropic messages through the official SDK. Usage arrives in pieces:
 * input and cache figures in message_start, and a running total of output
 * tokens in each message_delta, so the last total wins (not the sum).
 */
import Anthropic from "@anthropic-ai/sdk";
import { classifyProviderError } from "./classify.ts";
import {
  type ChatProvider,
  emptyUsage,
  type ProviderEvent,
  type ProviderRequest,
} from "./types.ts";

export function createAnthropicProvider(options: {
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
    name: "anthropic",
    async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
      try {
        const stream = await client.messages.create(
          {
            model: request.model,
            system: request.system,
            messages: request.messages,
            max_tokens: request.maxOutputTokens,
            stream: true,
          },
          { signal: request.signal, headers: request.headers },
        );

        const usage = emptyUsage();
        let finishReason = "end_turn";
        for await (const event of stream) {
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
          }
        }
        yield { type: "usage", usage };
        yield { type: "finish", reason: finishReason };
      } catch (error) {
        throw classifyProviderError("anthropic", error);
      }
    },
  };
}
