/**
 * Answers shaped for `npm run bench`, asked for in the prompt itself so they
 * pass through Kiln unchanged: a last user message whose first line is
 * `kiln-bench {"pieces":200,"pieceBytes":32,"chunkMs":50,"stamp":true}` gets
 * exactly that many pieces of that size at that rate, instead of a canned app.
 *
 * Why the prompt and not a header: Kiln does not forward client headers to
 * the provider (rightly), and per-request knobs let one simulator serve
 * concurrent benchmarks with different shapes. Pieces are generated one at a
 * time, so a 20 MB answer never sits whole in the simulator's memory either.
 *
 * With `stamp`, each piece starts with `@<send time in ms>;` (wall clock with
 * sub-millisecond precision), so a client can measure per-chunk delivery
 * latency from the simulator to itself.
 */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { SimulatorContext } from "./context.ts";
import { countInputTokens, readPrompt } from "./generation.ts";
import { isRecord, randomId, readApiKey, sendJson } from "./http.ts";
import { sleep } from "./pacing.ts";
import { openSseStream } from "./sse.ts";

export const BENCH_DIRECTIVE = "kiln-bench ";

export type BenchAnswer = {
  pieces: number;
  pieceBytes: number;
  firstTokenMs: number;
  chunkMs: number;
  stamp: boolean;
};

const DEFAULT_ANSWER: BenchAnswer = {
  pieces: 3,
  pieceBytes: 16,
  firstTokenMs: 0,
  chunkMs: 0,
  stamp: false,
};

/** The bench answer a chat-completions body asks for, or undefined for a normal request. */
export function readBenchAnswer(body: unknown): BenchAnswer | undefined {
  if (!isRecord(body) || !Array.isArray(body.messages)) return undefined;
  const prompt = readPrompt({ system: undefined, messages: body.messages, maxTokens: undefined });
  if (!prompt.lastUserText.startsWith(BENCH_DIRECTIVE)) return undefined;

  const firstLine = prompt.lastUserText.slice(BENCH_DIRECTIVE.length).split("\n", 1)[0] ?? "";
  let asked: unknown;
  try {
    asked = JSON.parse(firstLine);
  } catch {
    return undefined;
  }
  if (!isRecord(asked)) return undefined;

  const count = (key: keyof BenchAnswer, fallback: number) => {
    const value = asked[key];
    return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : fallback;
  };
  return {
    pieces: count("pieces", DEFAULT_ANSWER.pieces),
    pieceBytes: Math.max(1, count("pieceBytes", DEFAULT_ANSWER.pieceBytes)),
    firstTokenMs: count("firstTokenMs", DEFAULT_ANSWER.firstTokenMs),
    chunkMs: count("chunkMs", DEFAULT_ANSWER.chunkMs),
    stamp: asked.stamp === true,
  };
}

/** POST /v1/chat/completions for a bench prompt, streaming (OpenAI wire format) or not. */
export async function handleBenchChatCompletions(context: SimulatorContext): Promise<void> {
  const body = context.record.body as Record<string, unknown>;
  const answer = readBenchAnswer(body) ?? DEFAULT_ANSWER;
  context.response.setHeader("x-request-id", context.record.id);
  if (readApiKey(context.request.headers, "api-key") === undefined) {
    sendJson(context.response, {
      status: 401,
      body: { error: { message: "No API key", type: "invalid_request_error" } },
    });
    return;
  }

  const maxTokens = [body.max_completion_tokens, body.max_tokens].find(
    (value): value is number => typeof value === "number",
  );
  const pieceCount = maxTokens === undefined ? answer.pieces : Math.min(answer.pieces, maxTokens);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const inputTokens = countInputTokens(
    readPrompt({ system: undefined, messages, maxTokens: undefined }).texts,
  );
  const usage = {
    prompt_tokens: inputTokens,
    completion_tokens: pieceCount,
    total_tokens: inputTokens + pieceCount,
  };
  const model = typeof body.model === "string" ? body.model : "kiln-bench";
  const finish = pieceCount < answer.pieces ? "length" : "stop";

  if (body.stream !== true) {
    await sleep(answer.firstTokenMs + answer.chunkMs * Math.max(0, pieceCount - 1), context.signal);
    const text = Array.from({ length: pieceCount }, () => piece(answer)).join("");
    sendJson(context.response, {
      status: 200,
      body: {
        id: randomId("chatcmpl-", 29),
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [
          { index: 0, message: { role: "assistant", content: text }, finish_reason: finish },
        ],
        usage,
      },
    });
    return;
  }

  await streamPieces({ context, answer, pieceCount, model, finish, usage });
}

async function streamPieces(options: {
  context: SimulatorContext;
  answer: BenchAnswer;
  pieceCount: number;
  model: string;
  finish: "length" | "stop";
  usage: ChatCompletionChunk["usage"];
}): Promise<void> {
  const { context, answer } = options;
  const stream = openSseStream(context);
  const head = {
    id: randomId("chatcmpl-", 29),
    object: "chat.completion.chunk" as const,
    created: Math.floor(Date.now() / 1000),
    model: options.model,
  };
  const send = (chunk: Omit<ChatCompletionChunk, keyof typeof head>) =>
    stream.send({ data: JSON.stringify({ ...head, ...chunk }) });
  const delta = (content: string, finish: "length" | "stop" | null) =>
    send({ choices: [{ index: 0, delta: { content }, finish_reason: finish, logprobs: null }] });

  // Pieces leave on a fixed schedule from the start, so a slow write does not
  // lower the rate for the rest of the answer.
  const startedAt = performance.now();
  await delta("", null);
  for (let index = 0; index < options.pieceCount; index += 1) {
    const due = startedAt + answer.firstTokenMs + index * answer.chunkMs;
    await sleep(due - performance.now(), context.signal);
    if (context.signal.aborted) return;
    await delta(piece(answer), null);
  }
  if (context.signal.aborted) return;

  await delta("", options.finish);
  await send({ choices: [], usage: options.usage });
  await stream.send({ data: "[DONE]" });
  stream.end();
}

const FILLER = "const value = compute(input);\n".repeat(64);

/** One piece of `pieceBytes` ASCII bytes, stamped with its send time when asked. */
function piece(answer: BenchAnswer): string {
  const stamp = answer.stamp ? `@${(performance.timeOrigin + performance.now()).toFixed(3)};` : "";
  const size = Math.max(0, answer.pieceBytes - stamp.length);
  let text = stamp;
  while (text.length - stamp.length < size) {
    text += FILLER.slice(0, size - (text.length - stamp.length));
  }
  return text;
}
