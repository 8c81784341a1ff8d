/**
 * Faults a test (or a person) asks for, one request at a time, through
 * `x-kiln-sim-*` request headers or a marker in the last user message:
 *
 *   [[sim fault=server-error on=openai times=1 tag=t1 chunk-ms=20]]
 *
 * `fault` names the fault; `on` limits it to one protocol endpoint
 * (openai | anthropic), so one simulator plays a failing primary and a
 * healthy fallback; `times` applies it to the first N matching calls of the
 * tag only; `tag` groups calls so a test can count them (GET /_sim/calls).
 * Reading both sources here keeps the protocol writers free of parsing.
 */
import type { IncomingHttpHeaders } from "node:http";
import { readHeader, readNonNegativeIntegerHeader } from "./http.ts";

export const FAULT_HEADERS = {
  splitBytes: "x-kiln-sim-split-bytes",
  fault: "x-kiln-sim-fault",
  on: "x-kiln-sim-fault-on",
  times: "x-kiln-sim-fault-times",
  tag: "x-kiln-sim-tag",
} as const;

/** Faults answered instead of a normal response, before any byte of a stream. */
export const PRE_RESPONSE_FAULTS = [
  "rate-limit", // 429 with Retry-After: 1
  "rate-limit-bare", // 429 without any retry header
  "server-error", // 500
  "unavailable", // 503
  "overloaded", // 529, Anthropic's overloaded_error body
  "reset", // the connection is destroyed before a response
  "no-response", // the request is read and never answered
  "context-length", // 400, the prompt is over the model's context window
  "unauthorized", // 401, the API key was refused (a revoked or rotated key)
  "sse-error-body", // 503 whose body is SSE-framed (case S2b)
  "flap", // every other call of the tag answers 500 (odd calls fail)
] as const;

/** Faults inside a streaming 200. */
export const STREAM_FAULTS = [
  "slow-first-token", // the first token comes after 5 s (or first-ms)
  "cut", // the socket is destroyed after CUT_AFTER pieces
  "stall", // no more bytes after CUT_AFTER pieces, connection kept open
  "malformed", // a data line that is not JSON after CUT_AFTER pieces
  "no-terminator", // every piece, then the body ends without finish / [DONE] / message_stop
  "content-filter", // finish_reason content_filter / stop_reason refusal after CUT_AFTER pieces
  "overloaded-in-stream", // the first and only event is an overloaded error (case S4a)
  "overloaded-after-deltas", // an overloaded error after CUT_AFTER pieces (case S4b)
  "done-after-stop", // Anthropic: `event: done` / `data: [DONE]` after message_stop (case S2a)
  "unknown-event", // Anthropic: an unknown event type carrying usage between deltas (case S3)
  "cache-read", // Anthropic: message_start reports 2455 cache-read tokens (case S6)
  "usage-choices-null", // OpenAI: the usage-only chunk has `choices: null` (case S5)
  "usage-choices-absent", // OpenAI: the usage-only chunk has no `choices` (case S5)
  "empty-choices-first", // OpenAI: a chunk with `choices: []` before any delta (case S5)
] as const;

export type FaultName = (typeof PRE_RESPONSE_FAULTS)[number] | (typeof STREAM_FAULTS)[number];
export type Protocol = "openai" | "anthropic";

/** Pieces of text sent before a mid-stream fault strikes. */
export const CUT_AFTER = 2;
export const SLOW_FIRST_TOKEN_MS = 5_000;

export type Faults = {
  /**
   * Write every SSE event in pieces of this many bytes, flushing between
   * pieces, so pieces end inside multibyte characters (case S1).
   */
  splitBytes: number | undefined;
  fault: FaultName | undefined;
  on: Protocol | undefined;
  times: number | undefined;
  tag: string | undefined;
  /** Pacing overrides from the marker (headers have their own, see pacing.ts). */
  firstTokenMs: number | undefined;
  chunkMs: number | undefined;
};

export const NO_FAULTS: Faults = {
  splitBytes: undefined,
  fault: undefined,
  on: undefined,
  times: undefined,
  tag: undefined,
  firstTokenMs: undefined,
  chunkMs: undefined,
};

const ALL_FAULTS: readonly string[] = [...PRE_RESPONSE_FAULTS, ...STREAM_FAULTS];

export function isFaultName(value: string | undefined): value is FaultName {
  return value !== undefined && ALL_FAULTS.includes(value);
}

/** Headers win over the prompt marker, field by field. */
export function readFaults(headers: IncomingHttpHeaders, promptText = ""): Faults {
  const marker = readMarker(promptText);
  const splitBytes =
    readNonNegativeIntegerHeader(headers, FAULT_HEADERS.splitBytes) ?? toInteger(marker.split);
  const fault = readHeader(headers, FAULT_HEADERS.fault) ?? marker.fault;
  const on = readHeader(headers, FAULT_HEADERS.on) ?? marker.on;
  const times =
    readNonNegativeIntegerHeader(headers, FAULT_HEADERS.times) ?? toInteger(marker.times);

  return {
    splitBytes: splitBytes === undefined || splitBytes === 0 ? undefined : splitBytes,
    fault: isFaultName(fault) ? fault : undefined,
    on: on === "openai" || on === "anthropic" ? on : undefined,
    times,
    tag: readHeader(headers, FAULT_HEADERS.tag) ?? marker.tag,
    firstTokenMs: toInteger(marker["first-ms"]),
    chunkMs: toInteger(marker["chunk-ms"]),
  };
}

function readMarker(text: string): Record<string, string | undefined> {
  const body = /\[\[sim\s+([^\]]*)\]\]/.exec(text)?.[1];
  if (!body) return {};
  const fields: Record<string, string> = {};
  for (const pair of body.trim().split(/\s+/)) {
    const [name, value] = pair.split("=", 2);
    if (name && value) fields[name] = value;
  }
  return fields;
}

function toInteger(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * The fault that applies to this call, given the earlier calls of its tag on
 * the same protocol: `on` filters the protocol, `times` the first N calls,
 * `flap` fails the odd ones.
 */
export function activeFault(options: {
  faults: Faults;
  protocol: Protocol;
  earlierCalls: number;
}): FaultName | undefined {
  const { faults, protocol, earlierCalls } = options;
  if (!faults.fault) return undefined;
  if (faults.on && faults.on !== protocol) return undefined;
  if (faults.times !== undefined && earlierCalls >= faults.times) return undefined;
  if (faults.fault === "flap") return earlierCalls % 2 === 0 ? "server-error" : undefined;
  return faults.fault;
}
