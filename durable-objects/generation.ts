/**
 * One live answer inside the TeamGateway: it finds a target that answers
 * (attempts.ts), then fans the normalised events out to every connected
 * client as SSE and into the event log, so duplicates join, reconnects
 * resume with `Last-Event-ID` and finished answers replay. Nothing is sent
 * before a target answered, so a failure up to then is an HTTP error; after
 * it, a failure ends the stream with an `error` event and no `done`.
 *
 * The upstream call is aborted with the answer's own controller: at once on
 * Stop, and when the last client went away and did not come back within the
 * grace period (case S7).
 */
import type { ChatStreamEvent, MessageStatus, Usage } from "../contract/api.ts";
import {
  type AttemptRecord,
  type FailedAnswer,
  type OpenedAnswer,
  SKIP_OUTCOMES,
} from "./attempts.ts";
import type { EventLog, LoggedEvent } from "./event-log.ts";
import { classifyProviderError } from "./providers/classify.ts";
import { emptyUsage, type ProviderError, type ProviderEvent } from "./providers/types.ts";
import { encodeComment, encodeEvent, SSE_HEADERS } from "./sse.ts";

export type AbortReason = "stopped" | "client_gone";

/** Everything the settle step needs to know about how an answer ended. */
export type GenerationOutcome = {
  status: Exclude<MessageStatus, "streaming">;
  text: string;
  usage: Usage;
  /** False when the provider never reported usage and it was estimated. */
  usageReported: boolean;
  finishReason: string | null;
  error: ProviderError | null;
  abortReason: AbortReason | null;
  /** The target that served, or null when none answered. */
  provider: string | null;
  /** The half-open trial the serving target holds: given back when the answer is stopped. */
  breakerTrial: number | null;
  model: string | null;
  attempts: AttemptRecord[];
  fallbackUsed: boolean;
  /** True when no byte reached a client (the request got an HTTP error). */
  failedBeforeFirstByte: boolean;
  /** When the first text arrived (epoch ms), for time to first token. */
  firstTextAt: number | null;
};

export type StartState = { ok: true } | { ok: false; failure: FailedAnswer };

type BaseMeta = Omit<
  Extract<ChatStreamEvent, { type: "meta" }>,
  "type" | "provider" | "model" | "simulated" | "fallbackUsed" | "attempts" | "replay"
>;

export type LiveAnswerOptions = {
  key: string;
  log: EventLog;
  meta: BaseMeta;
  requestId: string;
  keepAliveMs: number;
  graceMs: number;
  /** Rough token count of the prompt, used when the provider reports no usage. */
  promptChars: number;
  isSimulated: (provider: string) => boolean;
  /** Called once when the answer ends, however it ends. */
  onSettled: (outcome: GenerationOutcome) => Promise<void>;
};

type Subscriber = { controller: ReadableStreamDefaultController<Uint8Array> };

export class LiveAnswer {
  readonly abort = new AbortController();
  readonly started: Promise<StartState>;
  readonly #options: LiveAnswerOptions;
  readonly #events: LoggedEvent[] = [];
  readonly #subscribers = new Set<Subscriber>();
  #resolveStarted: (state: StartState) => void = () => {};
  #finished = false;
  #abortReason: AbortReason | null = null;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #wroteSinceTick = false;

  constructor(options: LiveAnswerOptions) {
    this.#options = options;
    this.started = new Promise((resolve) => {
      this.#resolveStarted = resolve;
    });
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** Runs the answer to its end; `open` is the attempt runner bound to this answer's signal. */
  async run(open: (signal: AbortSignal) => Promise<OpenedAnswer | FailedAnswer>): Promise<void> {
    const opened = await open(this.abort.signal);
    if (opened.kind === "failed") {
      this.#finished = true;
      this.#resolveStarted({ ok: false, failure: opened });
      await this.#settle({
        ...this.#blankOutcome(opened.attempts),
        status: this.abort.signal.aborted ? "aborted" : "error",
        error: opened.error,
        failedBeforeFirstByte: true,
      });
      return;
    }

    this.#resolveStarted({ ok: true });
    if (this.#subscribers.size === 0) this.#startGrace();
    this.#startKeepAlive();
    await this.#stream(opened);
  }

  /**
   * An SSE stream of this answer for one client, starting after
   * `lastEventId`. A replay of a finished answer marks its meta as a replay.
   */
  subscribe(options: { lastEventId: number; replay: boolean; signal?: AbortSignal }): Response {
    let subscriber: Subscriber | undefined;
    const detach = () => {
      if (!subscriber || !this.#subscribers.delete(subscriber)) return;
      if (this.#subscribers.size === 0 && !this.#finished) this.#startGrace();
    };

    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const entry of this.#events) {
          if (entry.id <= options.lastEventId) continue;
          const event =
            options.replay && entry.event.type === "meta"
              ? { ...entry.event, replay: true }
              : entry.event;
          controller.enqueue(encodeEvent(entry.id, event));
        }
        if (this.#finished) {
          controller.close();
          return;
        }
        subscriber = { controller };
        this.#subscribers.add(subscriber);
        clearTimeout(this.#graceTimer);
      },
      // The client went away: a network blip or a closed tab. Wait for it to come back.
      cancel: detach,
    });
    // Behind the enable_request_signal flag, workerd reports a disconnect here instead.
    options.signal?.addEventListener("abort", detach, { once: true });

    return new Response(body, { headers: SSE_HEADERS });
  }

  /** Aborts the upstream call now (Stop), or after the grace period (client gone). */
  stop(reason: AbortReason): void {
    if (this.#finished) return;
    this.#abortReason ??= reason;
    this.abort.abort();
  }

  async #stream(opened: OpenedAnswer): Promise<void> {
    const outcome: GenerationOutcome = {
      ...this.#blankOutcome(opened.attempts),
      provider: opened.target.provider,
      breakerTrial: opened.breakerTrial,
      model: opened.target.model,
      fallbackUsed: opened.fallbackUsed,
    };
    const apply = (event: ProviderEvent) => {
      if (event.type === "text") {
        outcome.firstTextAt ??= Date.now();
        outcome.text += event.text;
        this.#emit({ type: "delta", text: event.text });
      } else if (event.type === "usage") {
        outcome.usage = event.usage;
        outcome.usageReported = true;
      } else if (event.type === "finish") {
        outcome.finishReason = event.reason;
      }
    };

    this.#emit({
      ...this.#options.meta,
      type: "meta",
      provider: opened.target.provider,
      model: opened.target.model,
      simulated: this.#options.isSimulated(opened.target.provider),
      fallbackUsed: opened.fallbackUsed,
      attempts: opened.attempts.filter((attempt) => !SKIP_OUTCOMES.includes(attempt.outcome))
        .length,
    });

    try {
      for (const event of opened.head) apply(event);
      for (;;) {
        const next = await opened.rest.next();
        if (next.done) break;
        apply(next.value);
      }
      this.#finishUsage(outcome);
      this.#emit({ type: "usage", usage: outcome.usage });
      outcome.status = "complete";
      this.#emit({ type: "done", finishReason: outcome.finishReason ?? "stop" });
    } catch (error) {
      outcome.error = classifyProviderError(opened.target.provider, error);
      outcome.status = this.abort.signal.aborted ? "aborted" : "error";
      outcome.abortReason = this.abort.signal.aborted ? (this.#abortReason ?? "stopped") : null;
      this.#finishUsage(outcome);
      this.#emit({ type: "usage", usage: outcome.usage });
      this.#emit({
        type: "error",
        code:
          outcome.status === "aborted"
            ? "answer_stopped"
            : outcome.error.kind === "content_filter"
              ? "content_filtered"
              : "stream_interrupted",
        message:
          outcome.status === "aborted"
            ? "The answer was stopped before it finished."
            : `The answer was cut off: ${outcome.error.message}`,
        requestId: this.#options.requestId,
      });
    } finally {
      this.#finished = true;
      clearInterval(this.#keepAlive);
      clearTimeout(this.#graceTimer);
      for (const subscriber of this.#subscribers) {
        try {
          subscriber.controller.close();
        } catch {
          // Already closed by a cancel racing the end.
        }
      }
      this.#subscribers.clear();
      await this.#settle(outcome);
    }
  }

  #emit(event: ChatStreamEvent): void {
    const entry = { id: this.#events.length + 1, event };
    this.#events.push(entry);
    this.#options.log.append(this.#options.key, entry);
    this.#broadcast(encodeEvent(entry.id, event));
  }

  #broadcast(bytes: Uint8Array): void {
    this.#wroteSinceTick = true;
    for (const subscriber of this.#subscribers) {
      try {
        subscriber.controller.enqueue(bytes);
      } catch {
        this.#subscribers.delete(subscriber);
      }
    }
  }

  /** An SSE comment after a long silence, so proxies keep the connection (a slow model). */
  #startKeepAlive(): void {
    this.#keepAlive = setInterval(() => {
      if (!this.#wroteSinceTick) this.#broadcast(encodeComment("keep-alive"));
      this.#wroteSinceTick = false;
    }, this.#options.keepAliveMs);
  }

  #startGrace(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => this.stop("client_gone"), this.#options.graceMs);
  }

  /** Without reported usage (a cut OpenAI stream), estimate: about four characters a token. */
  #finishUsage(outcome: GenerationOutcome): void {
    if (outcome.usageReported) return;
    outcome.usage = {
      ...emptyUsage(),
      inputTokens: Math.ceil(this.#options.promptChars / 4),
      outputTokens: Math.ceil(outcome.text.length / 4),
    };
  }

  #blankOutcome(attempts: AttemptRecord[]): GenerationOutcome {
    return {
      status: "error",
      text: "",
      usage: emptyUsage(),
      usageReported: false,
      finishReason: null,
      error: null,
      abortReason: null,
      provider: null,
      breakerTrial: null,
      model: null,
      attempts,
      fallbackUsed: false,
      failedBeforeFirstByte: false,
      firstTextAt: null,
    };
  }

  async #settle(outcome: GenerationOutcome): Promise<void> {
    if (outcome.status === "aborted") outcome.abortReason ??= this.#abortReason ?? "stopped";
    await this.#options.onSettled(outcome).catch(() => {});
  }
}
