/**
 * Faults a test asks for, one request at a time, through `x-kiln-sim-*`
 * request headers. Reading them in one place keeps the protocol writers free
 * of header parsing: they receive a typed `Faults` and act on it.
 */
import type { IncomingHttpHeaders } from "node:http";
import { readNonNegativeIntegerHeader } from "./http.ts";

export const FAULT_HEADERS = {
  splitBytes: "x-kiln-sim-split-bytes",
} as const;

export type Faults = {
  /**
   * Write every SSE event in pieces of this many bytes, flushing between
   * pieces, so pieces end inside multibyte characters (case S1).
   */
  splitBytes: number | undefined;
};

export const NO_FAULTS: Faults = { splitBytes: undefined };

export function readFaults(headers: IncomingHttpHeaders): Faults {
  const splitBytes = readNonNegativeIntegerHeader(headers, FAULT_HEADERS.splitBytes);

  return {
    splitBytes: splitBytes === undefined || splitBytes === 0 ? undefined : splitBytes,
  };
}

/**
 * A model name that asks for an outage: `kiln-sim-fail-503` answers every
 * request for it with HTTP 503 (any 4xx/5xx status works). Carried by the
 * model name rather than a header because it must survive the gateway, which
 * forwards the model but none of the caller's headers, and because it keeps
 * concurrent test files from tripping over one another's faults.
 */
export function failureStatusForModel(model: string): number | undefined {
  const match = /^kiln-sim-fail-([45]\d\d)$/.exec(model);
  return match?.[1] ? Number(match[1]) : undefined;
}
