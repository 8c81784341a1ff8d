/**
 * Faults inside a streaming 200, shared by both protocol writers: they call
 * `strike` before each piece of text and stop writing when it says so.
 */
import type { SimulatorContext } from "./context.ts";
import { CUT_AFTER, type Protocol, SLOW_FIRST_TOKEN_MS } from "./faults.ts";
import type { Pacing } from "./pacing.ts";
import type { SseStream } from "./sse.ts";

/** The overloaded error as each API sends it inside a 200 stream. */
export async function sendOverloaded(stream: SseStream, protocol: Protocol): Promise<void> {
  if (protocol === "anthropic") {
    await stream.send({
      event: "error",
      data: JSON.stringify({
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      }),
    });
  } else {
    await stream.send({
      data: JSON.stringify({
        error: { message: "Overloaded", type: "server_error", param: null, code: null },
      }),
    });
  }
  stream.end();
}

/** Pacing with the slow-first-token fault applied. */
export function faultPacing(context: SimulatorContext): Pacing {
  if (context.faults.fault !== "slow-first-token") return context.pacing;
  return {
    ...context.pacing,
    firstTokenDelayMs: context.faults.firstTokenMs ?? SLOW_FIRST_TOKEN_MS,
  };
}

/**
 * Called before piece `index` is sent: true when the stream must stop here
 * (the fault took over the connection).
 */
export async function strike(options: {
  context: SimulatorContext;
  stream: SseStream;
  protocol: Protocol;
  index: number;
}): Promise<boolean> {
  const { context, stream, protocol, index } = options;
  const fault = context.faults.fault;
  if (index !== CUT_AFTER) return false;

  switch (fault) {
    case "cut":
      context.request.socket.destroy();
      return true;
    case "stall":
      await new Promise<void>((resolve) =>
        context.signal.addEventListener("abort", () => resolve()),
      );
      return true;
    case "malformed":
      await stream.send({ data: '{"choices": [{"delta": {"content": "oops' });
      stream.end();
      return true;
    case "overloaded-after-deltas":
      await sendOverloaded(stream, protocol);
      return true;
    default:
      return false;
  }
}
