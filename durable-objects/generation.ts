/**
 * Runs one generation: calls the provider, and streams normalised events to
 * the client as SSE. The first provider event is awaited before answering,
 * so a failure that happens before any text becomes a plain HTTP error (and,
 * in a later change, a retry or a fallback) rather than a broken stream.
 * After the first byte, a failure ends the stream with an `error` event and
 * no `done`: a cut answer is never presented as a whole one.
 */
import type { ChatStreamEvent, MessageStatus, Usage } from "../contract/api.ts";
import { classifyProviderError } from "./providers/classify.ts";
import {
  type ChatProvider,
  emptyUsage,
  type ProviderError,
  type ProviderEvent,
  type ProviderRequest,
} from "./providers/types.ts";
import { encodeEvent, SSE_HEADERS } from "./sse.ts";

export type GenerationOutcome = {
  status: MessageStatus;
  text: string;
  usage: Usage;
  finishReason: string | null;
  error: ProviderError | null;
  /** When the first text arrived (epoch ms), for time to first token. */
  firstTextAt: number | null;
};

export type GenerationOptions = {
  provider: ChatProvider;
  request: Omit<ProviderRequest, "signal">;
  meta: Extract<ChatStreamEvent, { type: "meta" }>;
  requestId: string;
  /** Called once when the generation ends, however it ends. */
  onSettled: (outcome: GenerationOutcome) => Promise<void>;
};

type StartResult =
  | { kind: "streaming"; response: Response }
  | { kind: "failed"; error: ProviderError };

export async function startGeneration(options: GenerationOptions): Promise<StartResult> {
  const abort = new AbortController();
  const events = options.provider
    .stream({ ...options.request, signal: abort.signal })
    [Symbol.asyncIterator]();
  const state: GenerationOutcome = {
    status: "streaming",
    text: "",
    usage: emptyUsage(),
    finishReason: null,
    error: null,
    firstTextAt: null,
  };

  let first: IteratorResult<ProviderEvent>;
  try {
    first = await events.next();
  } catch (error) {
    const failure = classifyProviderError(options.provider.name, error);
    await options.onSettled({ ...state, status: "error", error: failure });
    return { kind: "failed", error: failure };
  }

  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      let eventId = 0;
      const send = (event: ChatStreamEvent) => controller.enqueue(encodeEvent(++eventId, event));
      void pump({ options, events, first, state, send, signal: abort.signal })
        .then(() => controller.close())
        .catch(() => controller.close());
    },
    cancel: () => {
      // The client went away (or pressed Stop): stop paying for the answer.
      abort.abort();
    },
  });

  return { kind: "streaming", response: new Response(stream, { headers: SSE_HEADERS }) };
}

async function pump(context: {
  options: GenerationOptions;
  events: AsyncIterator<ProviderEvent>;
  first: IteratorResult<ProviderEvent>;
  state: GenerationOutcome;
  send: (event: ChatStreamEvent) => void;
  signal: AbortSignal;
}) {
  const { options, events, state, send, signal } = context;
  const apply = (event: ProviderEvent) => {
    if (event.type === "text") {
      state.firstTextAt ??= Date.now();
      state.text += event.text;
      send({ type: "delta", text: event.text });
    } else if (event.type === "usage") {
      state.usage = event.usage;
      send({ type: "usage", usage: event.usage });
    } else {
      state.finishReason = event.reason;
    }
  };

  try {
    send(options.meta);
    let next = context.first;
    while (!next.done) {
      apply(next.value);
      next = await events.next();
    }
    state.status = "complete";
    send({ type: "done", finishReason: state.finishReason ?? "stop" });
  } catch (error) {
    const failure = classifyProviderError(options.provider.name, error);
    state.error = failure;
    state.status = signal.aborted ? "aborted" : "error";
    if (!signal.aborted) {
      send({
        type: "error",
        code: "provider_error",
        message: `The answer was cut off: ${failure.message}`,
        requestId: options.requestId,
      });
    }
  } finally {
    await options.onSettled(state).catch(() => {});
  }
}
