/**
 * The simulated model, protocol-free: it picks the canned answer, cuts it into
 * the pieces that stream one per event, honours max_tokens and counts usage.
 * Both wire writers report the same figures for the same prompt, streaming or
 * not, and however the bytes are split.
 */
import { chooseAnswer } from "./apps.ts";
import { isRecord } from "./http.ts";

export type Prompt = {
  /** Every piece of text the model reads: system prompt and all messages. */
  texts: string[];
  /** The text of the last user message, which picks the answer. */
  lastUserText: string;
  maxTokens: number | undefined;
};

export type Generation = {
  pieces: string[];
  text: string;
  inputTokens: number;
  /** One token per streamed piece. */
  outputTokens: number;
  /** True when max_tokens cut the answer short. */
  truncated: boolean;
};

export function generate(prompt: Prompt): Generation {
  const allPieces = splitIntoPieces(chooseAnswer(prompt.lastUserText).text);
  const pieces = prompt.maxTokens === undefined ? allPieces : allPieces.slice(0, prompt.maxTokens);

  return {
    pieces,
    text: pieces.join(""),
    inputTokens: countInputTokens(prompt.texts),
    outputTokens: pieces.length,
    truncated: pieces.length < allPieces.length,
  };
}

/** A rough tokenizer: one token per four characters (code points), rounded up. */
export function countInputTokens(texts: readonly string[]): number {
  let characters = 0;
  for (const text of texts) {
    for (const _ of text) {
      characters += 1;
    }
  }
  return Math.ceil(characters / 4);
}

const WORDS_PER_PIECE = [2, 1, 3] as const;

/**
 * Cuts text into pieces of one to three words, each word keeping the
 * whitespace after it, so the pieces join back to exactly the text.
 */
export function splitIntoPieces(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
  const pieces: string[] = [];

  let start = 0;
  for (let turn = 0; start < words.length; turn += 1) {
    const size = WORDS_PER_PIECE[turn % WORDS_PER_PIECE.length] ?? 1;
    pieces.push(words.slice(start, start + size).join(""));
    start += size;
  }
  return pieces;
}

/**
 * The text parts of a message's `content` (or Anthropic's `system`): a plain
 * string, or an array of blocks of which only `text` blocks count.
 */
export function textParts(content: unknown): string[] {
  if (typeof content === "string") {
    return [content];
  }
  if (!Array.isArray(content)) {
    return [];
  }
  return content.flatMap((block: unknown) =>
    isRecord(block) && block.type === "text" && typeof block.text === "string" ? [block.text] : [],
  );
}

/** The prompt both protocols share: texts to count, and the last user message. */
export function readPrompt(options: {
  system: unknown;
  messages: readonly unknown[];
  maxTokens: number | undefined;
}): Prompt {
  const texts = textParts(options.system);
  let lastUserText = "";

  for (const message of options.messages) {
    if (!isRecord(message)) {
      continue;
    }
    const parts = textParts(message.content);
    texts.push(...parts);
    if (message.role === "user") {
      lastUserText = parts.join("\n");
    }
  }

  return { texts, lastUserText, maxTokens: options.maxTokens };
}
