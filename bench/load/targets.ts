/**
 * The two ways the benchmark asks for the same answer: through Kiln
 * (`POST /api/chat`, signed in) and straight from the provider simulator
 * (`POST /v1/chat/completions`, the body Kiln's OpenAI adapter would send).
 */
import { randomUUID } from "node:crypto";
import { systemPrompt } from "../../durable-objects/prompt.ts";
import type { BenchAnswer } from "../../test/simulators/provider/bench-answer.ts";
import type { Target } from "./stream.ts";

export type StackAddress = {
  kilnUrl: string;
  simulatorUrl: string;
  token: string;
  /** Sent as X-Team-Id, as the SPA does. */
  teamId: string;
};

export type AnswerShape = Partial<BenchAnswer>;

export type KilnExtras = {
  attachments?: { path: string; content: string }[];
  headers?: Record<string, string>;
  /** Same nonce, same prompt: what the cache benchmark wants. */
  nonce?: string;
};

/** The prompt line the simulator reads; a nonce keeps prompt caches from answering it. */
export function directive(answer: AnswerShape, nonce: string = randomUUID()): string {
  return `kiln-bench ${JSON.stringify({ ...answer, nonce })}`;
}

export function kilnTarget(
  address: StackAddress,
  answer: AnswerShape,
  extras: KilnExtras = {},
): Target {
  return {
    kind: "kiln",
    url: `${address.kilnUrl}/api/chat`,
    headers: {
      authorization: `Bearer ${address.token}`,
      "x-team-id": address.teamId,
      ...extras.headers,
    },
    body: JSON.stringify({
      message: directive(answer, extras.nonce),
      ...(extras.attachments ? { attachments: extras.attachments } : {}),
    }),
  };
}

const SYSTEM_PROMPT = systemPrompt(undefined);

export function directTarget(address: StackAddress, answer: AnswerShape): Target {
  return {
    kind: "direct",
    url: `${address.simulatorUrl}/v1/chat/completions`,
    headers: { authorization: "Bearer simulator" },
    body: JSON.stringify({
      model: "kiln-simulated",
      messages: [
        { role: "system", content: SYSTEM_PROMPT },
        { role: "user", content: directive(answer) },
      ],
      max_tokens: 8_192,
      stream: true,
      stream_options: { include_usage: true },
    }),
  };
}
