/**
 * One live answer inside the TeamGateway: it finds a target that answers
 * (attempts.ts), then fans the normalised events out to every connected
 * client as SSE and into the event log, so duplicates join, reconnects
 * resume with `Last-Event-ID` and finished answers replay. Nothing is sent
 * before a target answered, so a failure up to then is an HTTP error; after
 * it, a failure ends the stream with an `error` event and no `done`.
 *
 * Each client's stream holds at most SUBSCRIBER_BUFFER_BYTES: a client that
 * reads slower than the model writes falls behind and reads on from the
 * event log as it reads, instead of the object queueing the answer for it.
 * Settling (history, cache) keeps only the text's first
 * MAX_SAVED_MESSAGE_BYTES characters, enough for that many saved bytes; the
 * client still gets the whole answer.
 *
 * The upstream call is aborted with the answer's own controller: at once on
 * Stop, and when the last client went away and did not come back within the
 * grace period (case S7).
 */
import type { ChatStreamEvent, MessageStatus, Usage } from "../contract/api.ts";
import { MAX_SAVED_MESSAGE_BYTES } from "../worker/db/saved-size.ts";
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
  /** The answer's text, or its first MAX_SAVED_MESSAGE_BYTES characters when `textCut`. */
  text: string;
  /** True when the answer was longer than what `text` keeps. */
  textCut: boolean;
  /** The whole answer's length in characters, cut or not. */
  textChars: number;
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
  /** The answer's token cap: an estimate of a cut answer's output never goes past it. */
  maxOutputTokens: number;
  isSimulated: (provider: string) => boolean;
  /** Called once when the answer ends, however it ends. */
  onSettled: (outcome: GenerationOutcome) => Promise<void>;
};

/** What a client's stream may hold before its client counts as behind. */
const SUBSCRIBER_BUFFER_BYTES = 256 * 1024;
/** Events read from the log at a time for a client that is behind. */
const CATCH_UP_PAGE_EVENTS = 32;

type Subscriber = {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** The last event id this client was sent. */
  lastId: number;
  /** True while the client reads from the log rather than getting events as they come. */
  behind: boolean;
  /** True while a catch-up waits for the client to read below the buffer's mark. */
  waiting: boolean;
  replay: boolean;
};

/** A write to a client that went away fails; the stream's end says so through `closed`. */
const ignore = () => {};

export class LiveAnswer {
  readonly abort = new AbortController();
  readonly started: Promise<StartState>;
  readonly #options: LiveAnswerOptions;
  #lastEventId = 0;
  readonly #subscribers = new Set<Subscriber>();
  #resolveStarted: (state: StartState) => void = () => {};
  #finished = false;
  #abortReason: AbortReason | null = null;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #wroteSinceTick = false;

  constructor(options: LiveAnswerOptions) {
    this.#options = options;
    options.log.begin(options.key);
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
   * `lastEventId`: what came before it is read from the log, then events
   * come as they happen. A replay of a finished answer marks its meta as a
   * replay.
   */
  subscribe(options: { lastEventId: number; replay: boolean; signal?: AbortSignal }): Response {
    // A native stream: workerd moves each write to the client without calling back into
    // JavaScript, where a JS-sourced body costs a read promise per chunk (figure 3's profile).
    const { readable, writable } = new IdentityTransformStream({
      highWaterMark: SUBSCRIBER_BUFFER_BYTES,
    });
    const subscriber: Subscriber = {
      writer: writable.getWriter(),
      lastId: options.lastEventId,
      behind: true,
      waiting: false,
      replay: options.replay,
    };
    this.#subscribers.add(subscriber);
    clearTimeout(this.#graceTimer);

    // The client went away (a network blip or a closed tab): wait for it to come back.
    const detach = () => {
      if (!this.#subscribers.delete(subscriber)) return;
      if (this.#subscribers.size === 0 && !this.#finished) this.#startGrace();
    };
    subscriber.writer.closed.then(ignore, detach);
    // Behind the enable_request_signal flag, workerd reports a disconnect here too.
    options.signal?.addEventListener("abort", detach, { once: true });

    this.#catchUp(subscriber);
    return new Response(readable, { headers: SSE_HEADERS });
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
        keepText(outcome, event.text);
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
      this.#finishUsage(outcome, { cut: false });
      this.#emit({ type: "usage", usage: outcome.usage });
      outcome.status = "complete";
      this.#emit({ type: "done", finishReason: outcome.finishReason ?? "stop" });
    } catch (error) {
      outcome.error = classifyProviderError(opened.target.provider, error);
      outcome.status = this.abort.signal.aborted ? "aborted" : "error";
      outcome.abortReason = this.abort.signal.aborted ? (this.#abortReason ?? "stopped") : null;
      this.#finishUsage(outcome, { cut: true });
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
      // A client still behind closes once it has read the rest from the log.
      for (const subscriber of this.#subscribers) {
        if (!subscriber.behind) this.#close(subscriber);
      }
      await this.#settle(outcome);
    }
  }

  #emit(event: ChatStreamEvent): void {
    this.#lastEventId += 1;
    const entry = { id: this.#lastEventId, event };
    this.#options.log.append(this.#options.key, entry);

    this.#wroteSinceTick = true;
    let bytes: Uint8Array | undefined;
    for (const subscriber of this.#subscribers) {
      if (subscriber.behind) continue;
      if (!hasRoom(subscriber)) {
        subscriber.behind = true;
        this.#catchUpWhenRead(subscriber);
        continue;
      }
      bytes ??= encodeEvent(entry.id, event);
      this.#send(subscriber, entry.id, bytes);
    }
  }

  /**
   * Sends a client that is behind what the log holds after its last event,
   * while its buffer has room, and again each time it has read below the mark.
   */
  #catchUp(subscriber: Subscriber): void {
    while (subscriber.behind && hasRoom(subscriber)) {
      const page = this.#options.log.after(
        this.#options.key,
        subscriber.lastId,
        CATCH_UP_PAGE_EVENTS,
      );
      if (page.length === 0) subscriber.behind = false;
      for (const entry of page) {
        if (!hasRoom(subscriber)) break;
        this.#send(subscriber, entry.id, this.#encodeFor(subscriber, entry));
      }
    }
    if (subscriber.behind) this.#catchUpWhenRead(subscriber);
    else if (this.#finished) this.#close(subscriber);
  }

  #catchUpWhenRead(subscriber: Subscriber): void {
    if (subscriber.waiting || !this.#subscribers.has(subscriber)) return;
    subscriber.waiting = true;
    subscriber.writer.ready.then(() => {
      subscriber.waiting = false;
      if (this.#subscribers.has(subscriber)) this.#catchUp(subscriber);
    }, ignore);
  }

  #encodeFor(subscriber: Subscriber, entry: LoggedEvent): Uint8Array {
    const event =
      subscriber.replay && entry.event.type === "meta"
        ? { ...entry.event, replay: true }
        : entry.event;
    return encodeEvent(entry.id, event);
  }

  #send(subscriber: Subscriber, id: number, bytes: Uint8Array): void {
    subscriber.writer.write(bytes).catch(ignore);
    subscriber.lastId = id;
  }

  #close(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber);
    subscriber.writer.close().catch(ignore);
  }

  /** An SSE comment after a long silence, so proxies keep the connection (a slow model). */
  #startKeepAlive(): void {
    this.#keepAlive = setInterval(() => {
      if (!this.#wroteSinceTick) {
        const comment = encodeComment("keep-alive");
        for (const subscriber of this.#subscribers) {
          if (!subscriber.behind) this.#send(subscriber, subscriber.lastId, comment);
        }
      }
      this.#wroteSinceTick = false;
    }, this.#options.keepAliveMs);
  }

  #startGrace(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => this.stop("client_gone"), this.#options.graceMs);
  }

  /**
   * Without reported usage (a cut OpenAI stream), estimate: about four
   * characters a token, and no more output than the cap the provider was
   * asked for, which it cannot bill past. A cut stream's reported usage is
   * only what the provider had counted when it stopped (Anthropic's
   * message_start says one output token, and the running total comes later):
   * its output is at least the estimate of the text that arrived.
   */
  #finishUsage(outcome: GenerationOutcome, options: { cut: boolean }): void {
    const estimatedOutput = Math.min(
      Math.ceil(outcome.textChars / 4),
      this.#options.maxOutputTokens,
    );
    if (outcome.usageReported) {
      if (options.cut && outcome.usage.outputTokens < estimatedOutput) {
        outcome.usage = { ...outcome.usage, outputTokens: estimatedOutput };
      }
      return;
    }
    outcome.usage = {
      ...emptyUsage(),
      inputTokens: Math.ceil(this.#options.promptChars / 4),
      outputTokens: estimatedOutput,
    };
  }

  #blankOutcome(attempts: AttemptRecord[]): GenerationOutcome {
    return {
      status: "error",
      text: "",
      textCut: false,
      textChars: 0,
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

/** False once the client's buffer is full, or its stream is gone (desiredSize null). */
function hasRoom(subscriber: Subscriber): boolean {
  return (subscriber.writer.desiredSize ?? 0) > 0;
}

/** Keeps the answer's text up to MAX_SAVED_MESSAGE_BYTES, and records a cut beyond it. */
function keepText(outcome: GenerationOutcome, text: string): void {
  outcome.textChars += text.length;
  if (outcome.textCut) return;
  const room = MAX_SAVED_MESSAGE_BYTES - outcome.text.length;
  if (text.length <= room) {
    outcome.text += text;
    return;
  }
  // A cut between the two halves of a surrogate pair would leave half a character.
  const end = /[\ud800-\udbff]/.test(text.charAt(room - 1)) ? room - 1 : room;
  outcome.text += text.slice(0, Math.max(0, end));
  outcome.textCut = true;
}
