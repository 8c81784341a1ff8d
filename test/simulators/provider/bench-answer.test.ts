/**
 * The benchmark's answers, read through the real `openai` client: the size,
 * count and stamps `npm run bench` relies on, and max_tokens still honoured.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_DIRECTIVE } from "./bench-answer.ts";
import { type ProviderSimulator, startProviderSimulator } from "./server.ts";

let simulator: ProviderSimulator;

beforeAll(async () => {
  simulator = await startProviderSimulator({ firstTokenDelayMs: 0, chunkDelayMs: 0 });
});

afterAll(async () => {
  await simulator.close();
});

async function streamPieces(shape: object, maxTokens?: number) {
  const client = new OpenAI({ apiKey: "sk-test", baseURL: `${simulator.url}/v1`, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: "kiln-simulated",
    messages: [{ role: "user", content: `${BENCH_DIRECTIVE}${JSON.stringify(shape)}` }],
    stream: true,
    stream_options: { include_usage: true },
    ...(maxTokens ? { max_tokens: maxTokens } : {}),
  });
  const pieces: string[] = [];
  let finish: string | null = null;
  let completionTokens: number | undefined;
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) pieces.push(text);
    finish = chunk.choices[0]?.finish_reason ?? finish;
    completionTokens = chunk.usage?.completion_tokens ?? completionTokens;
  }
  return { pieces, finish, completionTokens };
}

describe("bench answers", () => {
  it("streams exactly the pieces asked for, each stamped with its send time", async () => {
    const before = Date.now();
    const { pieces, finish, completionTokens } = await streamPieces({
      pieces: 7,
      pieceBytes: 40,
      stamp: true,
    });

    expect(pieces).toHaveLength(7);
    expect(pieces.every((piece) => piece.length === 40)).toBe(true);
    const stamps = pieces.map((piece) => Number(piece.slice(1, piece.indexOf(";"))));
    expect(stamps.every((stamp) => stamp >= before - 1 && stamp <= Date.now() + 1)).toBe(true);
    expect(finish).toBe("stop");
    expect(completionTokens).toBe(7);
  });

  it("stops at max_tokens with finish reason length", async () => {
    const { pieces, finish } = await streamPieces({ pieces: 10, pieceBytes: 8 }, 4);

    expect(pieces).toHaveLength(4);
    expect(finish).toBe("length");
  });

  it("leaves ordinary prompts to the canned apps", async () => {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: `${simulator.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "kiln-simulated",
      messages: [{ role: "user", content: "Build me a counter app" }],
    });

    expect(completion.choices[0]?.message.content).toContain("```");
  });
});
