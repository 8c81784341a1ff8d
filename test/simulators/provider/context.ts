import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Faults } from "./faults.ts";
import type { Pacing } from "./pacing.ts";

/** One request as the simulator saw it, for tests to inspect afterwards. */
export type RecordedRequest = {
  /** The request id sent back in `x-request-id` (OpenAI) or `request-id` (Anthropic). */
  id: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when it was empty or not JSON. */
  body: unknown;
  receivedAt: number;
  /** Which TCP connection carried it (numbered in accept order), to tell reused ones apart. */
  connection: number;
  /** When the response or the client's connection closed, finished or not. */
  closedAt?: number;
  /** True once the whole response was handed to the socket. */
  completed: boolean;
  /** Which wire protocol the call used, when it was a chat call. */
  protocol?: "openai" | "anthropic";
  /** The `tag` of the fault header or prompt marker, for counting calls. */
  tag?: string;
  /** The fault this call got, if any. */
  fault?: string;
};

/** Everything a route handler needs to answer one request. */
export type SimulatorContext = {
  request: IncomingMessage;
  response: ServerResponse;
  record: RecordedRequest;
  pacing: Pacing;
  faults: Faults;
  /** Aborts when the response closes, in particular when the client goes away. */
  signal: AbortSignal;
};
