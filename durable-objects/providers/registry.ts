import type { ProviderEndpoint } from "../routing.ts";
import { createAnthropicProvider } from "./anthropic.ts";
import { createOpenAIProvider } from "./openai.ts";
import type { ChatProvider } from "./types.ts";

/**
 * SDK clients by endpoint: a client holds no per-call state (each call
 * passes its own signal and headers), so one per endpoint serves every
 * turn instead of being built again for each.
 */
const clients = new Map<string, ChatProvider>();

/** The SDK client for one routing target's provider endpoint. */
export function providerClient(endpoint: ProviderEndpoint): ChatProvider {
  const key = JSON.stringify([endpoint.protocol, endpoint.id, endpoint.baseUrl, endpoint.apiKey]);
  let client = clients.get(key);
  if (!client) {
    client = newClient(endpoint);
    clients.set(key, client);
  }
  return client;
}

function newClient(endpoint: ProviderEndpoint): ChatProvider {
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
