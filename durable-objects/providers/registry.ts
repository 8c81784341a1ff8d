import type { ProviderEndpoint } from "../routing.ts";
import { createAnthropicProvider } from "./anthropic.ts";
import { createOpenAIProvider } from "./openai.ts";
import type { ChatProvider } from "./types.ts";

/** An SDK client for one routing target's provider endpoint. */
export function createProvider(endpoint: ProviderEndpoint): ChatProvider {
  if (endpoint.protocol === "anthropic") {
    return createAnthropicProvider({
      name: endpoint.id,
      apiKey: endpoint.apiKey,
      baseUrl: endpoint.baseUrl,
    });
  }
  return createOpenAIProvider({
    name: endpoint.id,
    apiKey: endpoint.apiKey,
    baseUrl: endpoint.baseUrl,
  });
}
