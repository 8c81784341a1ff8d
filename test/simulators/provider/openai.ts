/**
 * The OpenAI chat-completions wire format: POST /v1/chat/completions as JSON
 * or as SSE, GET /v1/models, and OpenAI's error body. Shapes follow the types
 * of the `openai` SDK, which runs unchanged against this.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessage,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { Model } from "openai/resources/models";
import type { SimulatorContext } from "./context.ts";
import { CUT_AFTER } from "./faults.ts";
import { type Generation, generate, type Prompt, readPrompt } from "./generation.ts";
import { isRecord, ProviderHttpError, randomId, readApiKey, sendJson } from "./http.ts";
import { generationTimeMs, pace, sleep } from "./pacing.ts";
import { openSseStream } from "./sse.ts";
import { faultPacing, sendOverloaded, strike } from "./stream-faults.ts";

export const OPENAI_MODELS = ["gpt-5.4-mini", "gpt-5.4"] as const;

const SYSTEM_FINGERPRINT = "fp_kiln_sim";

type ChatRequest = {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  prompt: Prompt;
};

type FinishReason = ChatCompletion.Choice["finish_reason"];

export async function handleChatCompletions(context: SimulatorContext): Promise<void> {
  setResponseHeaders(context);
  requireApiKey(context);

  const request = parseChatRequest(context.record.body);
  const generation = generate(request.prompt);

  if (request.stream) {
    await streamChatCompletion({ context, request, generation });
  } else {
    await sendChatCompletion({ context, request, generation });
  }
}

export function handleOpenAiModels(context: SimulatorContext): void {
  setResponseHeaders(context);
  requireApiKey(context);

  const created = Math.floor(Date.now() / 1000);
  const data = OPENAI_MODELS.map(
    (id): Model => ({ id, object: "model", created, owned_by: "system" }),
  );

  sendJson(context.response, { status: 200, body: { object: "list", data } });
}

export function handleOpenAiNotFound(context: SimulatorContext): void {
  setResponseHeaders(context);
  const { method, path } = context.record;
  throw openAiError(404, { message: `Invalid URL (${method} ${path})` });
}

function setResponseHeaders(context: SimulatorContext): void {
  context.response.setHeader("x-request-id", context.record.id);
  context.response.setHeader("openai-version", "2020-10-01");
}

/** Any key is accepted, but one must be sent, as a bearer token or Azure's `api-key`. */
function requireApiKey(context: SimulatorContext): void {
  if (readApiKey(context.request.headers, "api-key") === undefined) {
    throw openAiError(401, {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    });
  }
}

async function streamChatCompletion(options: {
  context: SimulatorContext;
  request: ChatRequest;
  generation: Generation;
}): Promise<void> {
  const { context, request, generation } = options;
  const stream = openSseStream(context);
  const chunk = chunkWriter(request);
  const send = (value: ChatCompletionChunk) => stream.send({ data: JSON.stringify(value) });

  const fault = context.faults.fault;
  if (fault === "overloaded-in-stream") {
    await sendOverloaded(stream, "openai");
    return;
  }

  if (fault === "empty-choices-first") await send({ ...chunk({}, null), choices: [] });
  await send(chunk({ role: "assistant", content: "", refusal: null }, null));
  let index = 0;
  for await (const piece of pace(generation.pieces, { ...context, pacing: faultPacing(context) })) {
    if (await strike({ context, stream, protocol: "openai", index })) return;
    if (fault === "content-filter" && index === CUT_AFTER) break;
    await send(chunk({ content: piece }, null));
    index += 1;
  }
  if (context.signal.aborted) {
    return;
  }
  if (fault === "no-terminator") {
    stream.end();
    return;
  }

  await send(chunk({}, fault === "content-filter" ? "content_filter" : finishReason(generation)));
  if (request.includeUsage) {
    const usageChunk = { ...chunk({}, null), choices: [], usage: usageOf(generation) };
    if (fault === "usage-choices-null") {
      await stream.send({ data: JSON.stringify({ ...usageChunk, choices: null }) });
    } else if (fault === "usage-choices-absent") {
      const { choices: _, ...withoutChoices } = usageChunk;
      await stream.send({ data: JSON.stringify(withoutChoices) });
    } else {
      await send(usageChunk);
    }
  }
  await stream.send({ data: "[DONE]" });
  stream.end();
}

/**
 * Every chunk of one completion shares its id, timestamp and model. `usage`
 * is null on each chunk only when the client asked for usage, as the API does.
 */
function chunkWriter(request: ChatRequest) {
  const head = {
    id: randomId("chatcmpl-", 29),
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    service_tier: "default",
    system_fingerprint: SYSTEM_FINGERPRINT,
  } as const;
  const usage = request.includeUsage ? { usage: null } : {};

  return (
    delta: ChatCompletionChunk.Choice.Delta,
    finish_reason: ChatCompletionChunk.Choice["finish_reason"],
  ): ChatCompletionChunk => ({
    ...head,
    choices: [{ index: 0, delta, logprobs: null, finish_reason }],
    ...usage,
  });
}

async function sendChatCompletion(options: {
  context: SimulatorContext;
  request: ChatRequest;
  generation: Generation;
}): Promise<void> {
  const { context, request, generation } = options;

  await sleep(generationTimeMs(context.pacing, generation.pieces.length), context.signal);
  if (context.signal.aborted) {
    return;
  }

  const message: ChatCompletionMessage = {
    role: "assistant",
    content: generation.text,
    refusal: null,
    annotations: [],
  };
  const body: ChatCompletion = {
    id: randomId("chatcmpl-", 29),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(generation) }],
    usage: usageOf(generation),
    service_tier: "default",
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  sendJson(context.response, { status: 200, body });
}

function finishReason(generation: Generation): FinishReason {
  return generation.truncated ? "length" : "stop";
}

function usageOf(generation: Generation): CompletionUsage {
  return {
    prompt_tokens: generation.inputTokens,
    completion_tokens: generation.outputTokens,
    total_tokens: generation.inputTokens + generation.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Validates the body as the API does, in the order it reports problems. */
function parseChatRequest(body: unknown): ChatRequest {
  if (!isRecord(body)) {
    throw openAiError(400, {
      message:
        "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.",
    });
  }
  if (typeof body.model !== "string" || body.model === "") {
    throw openAiError(400, { message: "you must provide a model parameter" });
  }

  const messages = parseMessages(body.messages);
  const stream = body.stream === true;
  if (body.stream_options != null && !stream) {
    throw openAiError(400, {
      message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      param: "stream_options",
    });
  }

  const maxTokens = parseMaxTokens(body);
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const prompt = readPrompt({ system: undefined, messages, maxTokens });
  return { model: body.model, stream, includeUsage, prompt };
}

function parseMessages(messages: unknown): unknown[] {
  if (messages === undefined) {
    throw openAiError(400, {
      message: "Missing required parameter: 'messages'.",
      param: "messages",
      code: "missing_required_parameter",
    });
  }
  if (!Array.isArray(messages)) {
    throw openAiError(400, {
      message: "Invalid type for 'messages': expected an array of objects.",
      param: "messages",
      code: "invalid_type",
    });
  }
  if (messages.length === 0) {
    throw openAiError(400, {
      message:
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: "messages",
      code: "empty_array",
    });
  }
  return messages;
}

/** `max_completion_tokens` replaced `max_tokens`; the API still takes either. */
function parseMaxTokens(body: Record<string, unknown>): number | undefined {
  const param = body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
  const value = body[param];
  if (value == null) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw openAiError(400, {
      message: `Invalid '${param}': expected an integer of at least 1.`,
      param,
      code: "integer_below_min_value",
    });
  }
  return value;
}

function openAiError(
  status: number,
  error: { message: string; type?: string; param?: string; code?: string },
): ProviderHttpError {
  return new ProviderHttpError(status, {
    error: {
      message: error.message,
      type: error.type ?? "invalid_request_error",
      param: error.param ?? null,
      code: error.code ?? null,
    },
  });
}
