import type { ProviderSettings } from "../../worker/config.ts";
import { createAnthropicProvider } from "./anthropic.ts";
import { createOpenAIProvider } from "./openai.ts";
import type { ChatProvider } from "./types.ts";

export function createProvider(settings: ProviderSettings): ChatProvider {
  if (settings.kind === "anthropic") {
    return createAnthropicProvider({ apiKey: settings.apiKey, baseUrl: settings.baseUrl });
  }
  return createOpenAIProvider({
    name: settings.name,
    apiKey: settings.apiKey,
    baseUrl: settings.baseUrl,
  });
}
