/**
 * How much of a conversation goes to the model, shared by the gateway (which
 * trims) and the SPA (which shows, before sending, what will be trimmed and
 * what the message will cost). Sizes are counted in characters and turned
 * into tokens at about four characters a token: close enough to budget and
 * warn, and the reservation covers the difference (it is settled to the
 * provider's real count afterwards).
 */
import type { ModelPrice } from "./prices.ts";
import { worstCaseMicroUsd } from "./prices.ts";

export const CHARS_PER_TOKEN = 4;
/** The hard cap on every answer; also what a call reserves as its worst case. */
export const MAX_OUTPUT_TOKENS = 8_192;

export type PromptBudget = { historyChars: number; attachmentChars: number };

const DEFAULT_BUDGET: PromptBudget = { historyChars: 48_000, attachmentChars: 120_000 };
/** Models with small context windows (local ones, mostly) get smaller budgets. */
const BUDGETS_BY_MODEL: Record<string, PromptBudget> = {
  "llama3.1": { historyChars: 12_000, attachmentChars: 40_000 },
};

export function promptBudget(model: string): PromptBudget {
  return BUDGETS_BY_MODEL[model] ?? DEFAULT_BUDGET;
}

export function estimateTokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** What was left out of the prompt; sent in the answer's `meta` event. */
export type TrimReport = {
  historyTurnsDropped: number;
  attachmentsTruncated: string[];
  attachmentsDropped: string[];
};

export function nothingTrimmed(report: TrimReport): boolean {
  return (
    report.historyTurnsDropped === 0 &&
    report.attachmentsTruncated.length === 0 &&
    report.attachmentsDropped.length === 0
  );
}

/**
 * Which attachments fit the budget, in order: each takes what is left, the
 * one that crosses the line is cut, the rest are dropped.
 */
export function planAttachments(
  attachments: { path: string; chars: number }[],
  budgetChars: number,
): { keptChars: number[]; truncated: string[]; dropped: string[] } {
  let remaining = budgetChars;
  const keptChars: number[] = [];
  const truncated: string[] = [];
  const dropped: string[] = [];

  for (const attachment of attachments) {
    if (remaining <= 0) {
      dropped.push(attachment.path);
      keptChars.push(0);
      continue;
    }
    const kept = Math.min(attachment.chars, remaining);
    if (kept < attachment.chars) truncated.push(attachment.path);
    keptChars.push(kept);
    remaining -= kept;
  }
  return { keptChars, truncated, dropped };
}

/** Newest turns first, while they fit: how many of the oldest must go. */
export function historyTurnsToDrop(turnChars: number[], budgetChars: number): number {
  let used = 0;
  let kept = 0;
  for (let index = turnChars.length - 1; index >= 0; index--) {
    const chars = turnChars[index] ?? 0;
    if (used + chars > budgetChars) break;
    used += chars;
    kept++;
  }
  return turnChars.length - kept;
}

/** The estimate shown before sending: prompt tokens, and the worst-case cost reserved for it. */
export function estimateNextMessage(options: { promptChars: number; price: ModelPrice }): {
  promptTokens: number;
  maxOutputTokens: number;
  worstCaseMicroUsd: number;
} {
  const promptTokens = estimateTokens(options.promptChars);
  return {
    promptTokens,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    worstCaseMicroUsd: worstCaseMicroUsd(options.price, promptTokens, MAX_OUTPUT_TOKENS),
  };
}
