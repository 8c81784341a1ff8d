import { describe, expect, it } from "vitest";
import { childTrace, continueTrace, formatTraceparent, parseTraceparent } from "./trace.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("W3C traceparent", () => {
  it("reads a valid header, sampled or not", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({
      traceId: TRACE,
      parentSpanId: SPAN,
      sampled: true,
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["garbage", "not-a-trace"],
    ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["forbidden version", `ff-${TRACE}-${SPAN}-01`],
  ])("ignores a %s header", (_name, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it("continues the caller's trace with a new span whose parent is the caller's", () => {
    const trace = continueTrace(`00-${TRACE}-${SPAN}-01`);
    expect(trace.traceId).toBe(TRACE);
    expect(trace.parentSpanId).toBe(SPAN);
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(SPAN);

    const child = childTrace(trace);
    expect(child).toMatchObject({ traceId: TRACE, parentSpanId: trace.spanId });
    expect(formatTraceparent(child)).toBe(`00-${TRACE}-${child.spanId}-01`);
  });

  it("starts a trace without a header", () => {
    const trace = continueTrace(undefined);
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.parentSpanId).toBeUndefined();
  });
});
