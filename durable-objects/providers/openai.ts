/**
 * OpenAI chat completions through the official SDK; also any
 * OpenAI-compatible server (Ollama, vLLM, OpenRouter) and the local simulator,
 * by base URL.
 */
import OpenAI from "openai";
import type { Usage } from "../../contract/api.ts";
import { classifyProviderError } from "./classify.ts";
import { serverSentEvents } from "./sse-events.ts";
import {
  type ChatProvider,
  ProviderError,
  type ProviderEvent,
  type ProviderRequest,
} from "./types.ts";

export function createOpenAIProvider(options: {
  name: string;
  apiKey: string;
  baseUrl?: string | undefined;
  /** Extra headers on every call (OpenRouter's attribution headers, simulator faults). */
  headers?: Record<string, string>;
}): ChatProvider {
  // Retries and timeouts belong to the gateway's own policy, not the SDK's.
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    maxRetries: 0,
    defaultHeaders: options.headers,
  });

  return {
    name: options.name,
    async *stream(request: ProviderRequest): AsyncIterable<ProviderEvent> {
      try {
        const response = await client.chat.completions
          .create(
            {
              model: request.model,
              messages: [{ role: "system", content: request.system }, ...request.messages],
              max_tokens: request.maxOutputTokens,
              stream: true,
              stream_options: { include_usage: true },
            },
            { signal: request.signal, headers: request.headers },
          )
          .asResponse();

        yield { type: "open" };

        let finishReason: string | null = null;
        for await (const message of serverSentEvents(response.body)) {
          // The end marker is not JSON, and nothing after it counts (case S2).
          if (message.data.startsWith("[DONE]")) break;
          const chunk = JSON.parse(message.data) as OpenAI.ChatCompletionChunk & {
            error?: unknown;
          };
          // An error inside a 200 stream, as the SDK's own stream reports it.
          if (chunk.error)
            throw new OpenAI.APIError(undefined, chunk.error, undefined, response.headers);
          // The usage chunk has `choices: []`; some servers send null or omit it.
          const choice = chunk.choices?.[0];
          const text = choice?.delta?.content;
          if (text) yield { type: "text", text };
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          if (chunk.usage) yield { type: "usage", usage: toUsage(chunk.usage) };
        }
        if (request.signal.aborted) throw abortedError();
        // A body that ends early ends quietly: without a finish reason the
        // answer was cut, whatever the transport said.
        if (finishReason === null) throw truncatedError(options.name);
        if (finishReason === "content_filter") throw refusedError(options.name);
        yield { type: "finish", reason: finishReason };
      } catch (error) {
        // Stopped mid-body: the read fails with whatever the runtime says of an abort.
        throw request.signal.aborted ? abortedError() : classifyProviderError(options.name, error);
      }
    },
  };
}

export function abortedError(): ProviderError {
  return new ProviderError({ kind: "aborted", message: "The request was stopped." });
}

export function truncatedError(provider: string): ProviderError {
  return new ProviderError({
    kind: "truncated",
    message: `${provider} ended the stream before the answer finished.`,
  });
}

export function refusedError(provider: string): ProviderError {
  return new ProviderError({
    kind: "content_filter",
    message: `${provider} declined to answer (content filter).`,
  });
}

function toUsage(usage: OpenAI.CompletionUsage): Usage {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: usage.prompt_tokens - cached,
    outputTokens: usage.completion_tokens,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
}
