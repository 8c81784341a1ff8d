/**
 * The Anthropic messages wire format: POST /v1/messages as JSON or as SSE,
 * GET /v1/models, and Anthropic's error body. Shapes follow the types of the
 * `@anthropic-ai/sdk` package, which runs unchanged against this.
 */
import type {
  Message,
  MessageDeltaUsage,
  RawMessageStreamEvent,
  StopReason,
  Usage,
} from "@anthropic-ai/sdk/resources/messages";
import type { ModelInfo } from "@anthropic-ai/sdk/resources/models";
import type { ErrorType } from "@anthropic-ai/sdk/resources/shared";
import type { SimulatorContext } from "./context.ts";
import { CUT_AFTER } from "./faults.ts";
import { type Generation, generate, type Prompt, readPrompt } from "./generation.ts";
import { isRecord, ProviderHttpError, randomId, readApiKey, readHeader, sendJson } from "./http.ts";
import { generationTimeMs, pace, sleep } from "./pacing.ts";
import { openSseStream } from "./sse.ts";
import { faultPacing, sendOverloaded, strike } from "./stream-faults.ts";

export const ANTHROPIC_MODELS = ["claude-sonnet-4-6", "claude-haiku-4-5"] as const;

type MessagesRequest = {
  model: string;
  stream: boolean;
  prompt: Prompt;
};

export async function handleMessages(context: SimulatorContext): Promise<void> {
  context.response.setHeader("request-id", context.record.id);
  requireApiKeyAndVersion(context);

  const request = parseMessagesRequest(context);
  const generation = generate(request.prompt);

  if (request.stream) {
    await streamMessage({ context, request, generation });
  } else {
    await sendMessage({ context, request, generation });
  }
}

export function handleAnthropicModels(context: SimulatorContext): void {
  context.response.setHeader("request-id", context.record.id);
  requireApiKeyAndVersion(context);

  const data = ANTHROPIC_MODELS.map(modelInfo);
  const body = {
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
  sendJson(context.response, { status: 200, body });
}

export function handleAnthropicNotFound(context: SimulatorContext): void {
  context.response.setHeader("request-id", context.record.id);
  throw anthropicError(context, { status: 404, type: "not_found_error", message: "Not Found" });
}

/**
 * Any key is accepted, but one must be sent: `x-api-key`, or the bearer token
 * that `@anthropic-ai/sdk` 1.x sends for an `apiKey`.
 */
function requireApiKeyAndVersion(context: SimulatorContext): void {
  const headers = context.request.headers;

  if (readApiKey(headers, "x-api-key") === undefined) {
    throw anthropicError(context, {
      status: 401,
      type: "authentication_error",
      message: "x-api-key header is required",
    });
  }
  if (readHeader(headers, "anthropic-version") === undefined) {
    throw anthropicError(context, {
      status: 400,
      type: "invalid_request_error",
      message: "anthropic-version: header is required",
    });
  }
}

async function streamMessage(options: {
  context: SimulatorContext;
  request: MessagesRequest;
  generation: Generation;
}): Promise<void> {
  const { context, request, generation } = options;
  const stream = openSseStream(context);
  const send = (event: RawMessageStreamEvent) =>
    stream.send({ event: event.type, data: JSON.stringify(event) });

  // The API reports the prompt and one output token up front; message_delta
  // then carries the running output total, which replaces it (not adds to it).
  const fault = context.faults.fault;
  if (fault === "overloaded-in-stream") {
    await sendOverloaded(stream, "anthropic");
    return;
  }

  const startUsage = usageOf({ generation, outputTokens: 1 });
  if (fault === "cache-read") startUsage.cache_read_input_tokens = 2455;
  await send({
    type: "message_start",
    message: messageOf({ request, content: [], stopReason: null, usage: startUsage }),
  });
  await send({ type: "content_block_start", index: 0, content_block: textBlock("") });
  // The API's keep-alive, byte for byte as its documentation shows it.
  await stream.send({ event: "ping", data: '{"type": "ping"}' });

  let index = 0;
  for await (const piece of pace(generation.pieces, { ...context, pacing: faultPacing(context) })) {
    if (await strike({ context, stream, protocol: "anthropic", index })) return;
    if (fault === "content-filter" && index === CUT_AFTER) break;
    if (fault === "unknown-event" && index === CUT_AFTER) {
      const usage = { input_tokens: 1, output_tokens: 999 };
      await stream.send({
        event: "kiln_unknown",
        data: JSON.stringify({ type: "kiln_unknown", usage }),
      });
    }
    await send({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: piece },
    });
    index += 1;
  }
  if (context.signal.aborted) {
    return;
  }
  if (fault === "no-terminator") {
    stream.end();
    return;
  }

  await send({ type: "content_block_stop", index: 0 });
  await send({
    type: "message_delta",
    delta: {
      stop_reason: fault === "content-filter" ? "refusal" : stopReason(generation),
      stop_sequence: null,
      stop_details: null,
      container: null,
    },
    usage: deltaUsageOf(generation),
  });
  await send({ type: "message_stop" });
  if (fault === "done-after-stop") {
    await stream.send({ event: "done", data: "[DONE]" });
  }
  stream.end();
}

async function sendMessage(options: {
  context: SimulatorContext;
  request: MessagesRequest;
  generation: Generation;
}): Promise<void> {
  const { context, request, generation } = options;

  await sleep(generationTimeMs(context.pacing, generation.pieces.length), context.signal);
  if (context.signal.aborted) {
    return;
  }

  const body = messageOf({
    request,
    content: [textBlock(generation.text)],
    stopReason: stopReason(generation),
    usage: usageOf({ generation, outputTokens: generation.outputTokens }),
  });
  sendJson(context.response, { status: 200, body });
}

function messageOf(options: {
  request: MessagesRequest;
  content: Message["content"];
  stopReason: StopReason | null;
  usage: Usage;
}): Message {
  return {
    id: randomId("msg_01", 22),
    type: "message",
    role: "assistant",
    model: options.request.model,
    content: options.content,
    stop_reason: options.stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: options.usage,
  };
}

function textBlock(text: string) {
  return { type: "text", text, citations: null } as const;
}

function stopReason(generation: Generation): StopReason {
  return generation.truncated ? "max_tokens" : "end_turn";
}

function usageOf(options: { generation: Generation; outputTokens: number }): Usage {
  return {
    input_tokens: options.generation.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: options.outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    inference_geo: null,
    speed: null,
  };
}

function deltaUsageOf(generation: Generation): MessageDeltaUsage {
  return {
    input_tokens: generation.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: generation.outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
  };
}

function modelInfo(id: string): ModelInfo {
  return {
    type: "model",
    id,
    display_name: id,
    created_at: "2026-01-01T00:00:00Z",
    capabilities: null,
    deprecated_at: null,
    lifecycle: "active",
    line: null,
    max_input_tokens: null,
    max_tokens: null,
    retires_at: null,
  };
}

/** Validates the body as the API does, naming the field the way its validator does. */
function parseMessagesRequest(context: SimulatorContext): MessagesRequest {
  const body = context.record.body;
  const invalid = (message: string) =>
    anthropicError(context, { status: 400, type: "invalid_request_error", message });

  if (!isRecord(body)) {
    throw invalid("There was an error parsing the body of your request: expected a JSON object.");
  }
  if (typeof body.model !== "string" || body.model === "") {
    throw invalid("model: Field required");
  }
  if (body.messages === undefined) {
    throw invalid("messages: Field required");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid("messages: Input should be a non-empty list");
  }
  if (body.max_tokens === undefined) {
    throw invalid("max_tokens: Field required");
  }
  if (
    typeof body.max_tokens !== "number" ||
    !Number.isInteger(body.max_tokens) ||
    body.max_tokens < 1
  ) {
    throw invalid("max_tokens: Input should be an integer greater than or equal to 1");
  }

  const prompt = readPrompt({
    system: body.system,
    messages: body.messages,
    maxTokens: body.max_tokens,
  });
  return { model: body.model, stream: body.stream === true, prompt };
}

function anthropicError(
  context: SimulatorContext,
  error: { status: number; type: ErrorType; message: string },
): ProviderHttpError {
  return new ProviderHttpError(error.status, {
    type: "error",
    error: { type: error.type, message: error.message },
    request_id: context.record.id,
  });
}
