/**
 * What a generation really used, for settlement. Providers report usage at
 * the end of a stream, so a call that failed or was stopped midway often has
 * none: it is then estimated from the prompt and the text that did stream,
 * because the provider bills those tokens all the same.
 */
import type { Usage } from "../../contract/api.ts";
import { estimateTokens } from "../../contract/prompt-budget.ts";

export function settledUsage(options: { usage: Usage; text: string; promptTokens: number }): Usage {
  const { usage, text } = options;
  if (usage.inputTokens > 0 || usage.outputTokens > 0) return usage;
  if (text.length === 0) return usage;
  return { ...usage, inputTokens: options.promptTokens, outputTokens: estimateTokens(text.length) };
}

export function promptTokensOf(system: string, messages: { content: string }[]): number {
  const chars = messages.reduce((sum, message) => sum + message.content.length, system.length);
  return estimateTokens(chars);
}
