/**
 * OpenAI chat completions through the official SDK; also any
 * OpenAI-compatible server (Ollama, vLLM, OpenRouter) and the local simulator,
 * by base URL.
 */
import OpenAI from "openai";
import type { Usage } from "../../contract/api.ts";
import { classifyProviderError } from "./classify.ts";
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
        const stream = await client.chat.completions.create(
          {
            model: request.model,
            messages: [{ role: "system", content: request.system }, ...request.messages],
            max_tokens: request.maxOutputTokens,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: request.signal, headers: request.headers },
        );

        yield { type: "open" };

        let finishReason: string | null = null;
        for await (const chunk of stream) {
          // The usage chunk has `choices: []`; some servers send null or omit it.
          const choice = chunk.choices?.[0];
          const text = choice?.delta?.content;
          if (text) yield { type: "text", text };
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          if (chunk.usage) yield { type: "usage", usage: toUsage(chunk.usage) };
        }
        if (request.signal.aborted) throw abortedError();
        // The SDK ends quietly when the body ends early: without a finish
        // reason the answer was cut, whatever the transport said.
        if (finishReason === null) throw truncatedError(options.name);
        if (finishReason === "content_filter") throw refusedError(options.name);
        yield { type: "finish", reason: finishReason };
      } catch (error) {
        throw classifyProviderError(options.name, error);
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
