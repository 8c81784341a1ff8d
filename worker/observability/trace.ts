/**
 * W3C Trace Context (`traceparent: 00-<trace id>-<parent span id>-<flags>`).
 * The SPA starts a trace; every hop (Worker, team object, provider call,
 * sandbox call) opens a span that is a child of the hop before it and passes
 * its own span id on, so one trace id follows a request everywhere and a
 * support request quoting it can be followed through logs and the collector.
 */

export type TraceContext = {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** The span of the current hop: 16 lowercase hex digits. */
  spanId: string;
  /** The caller's span, when the trace came in from outside. */
  parentSpanId: string | undefined;
  sampled: boolean;
};

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

export type ParsedTraceparent = { traceId: string; parentSpanId: string; sampled: boolean };

/** Reads a `traceparent` header; anything malformed is ignored, as the spec asks. */
export function parseTraceparent(header: string | null | undefined): ParsedTraceparent | null {
  const match = TRACEPARENT.exec(header?.trim().toLowerCase() ?? "");
  if (!match) return null;

  const [, version, traceId, parentSpanId, flags] = match;
  if (!version || !traceId || !parentSpanId || !flags) return null;
  // Version ff is forbidden; all-zero ids mean "no trace".
  if (version === "ff" || traceId === ZERO_TRACE || parentSpanId === ZERO_SPAN) return null;

  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(trace: Pick<TraceContext, "traceId" | "spanId" | "sampled">) {
  return `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? "01" : "00"}`;
}

/** The context of this hop: continues an incoming trace, or starts one. */
export function continueTrace(header: string | null | undefined): TraceContext {
  const parent = parseTraceparent(header);
  if (parent) {
    return {
      traceId: parent.traceId,
      spanId: newSpanId(),
      parentSpanId: parent.parentSpanId,
      sampled: parent.sampled,
    };
  }
  return { traceId: newTraceId(), spanId: newSpanId(), parentSpanId: undefined, sampled: true };
}

/** A child hop inside the same trace (team object, provider call, sandbox call). */
export function childTrace(parent: TraceContext): TraceContext {
  return { ...parent, spanId: newSpanId(), parentSpanId: parent.spanId };
}

export function newTraceId(): string {
  return randomHex(16);
}

export function newSpanId(): string {
  return randomHex(8);
}

function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  const hex = Array.from(values, (value) => value.toString(16).padStart(2, "0")).join("");
  // An all-zero id is invalid; the chance is negligible but the fix is free.
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}
