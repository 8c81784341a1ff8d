/**
 * Faults answered before any byte of a normal response: error statuses in
 * each provider's own body shape, a reset connection, or no answer at all.
 */
import type { SimulatorContext } from "./context.ts";
import type { FaultName, Protocol } from "./faults.ts";
import { sendJson } from "./http.ts";

/** Answers the fault and returns true, or returns false when `fault` is not a pre-response one. */
export async function answerPreResponseFault(
  context: SimulatorContext,
  fault: FaultName,
  protocol: Protocol,
): Promise<boolean> {
  const { response } = context;
  const error = (
    status: number,
    type: string,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    sendJson(response, { status, body: errorBody(protocol, type, message), headers });
    return true;
  };

  switch (fault) {
    case "rate-limit":
      return error(429, "rate_limit_error", "Rate limit reached (simulated).", {
        "retry-after": "1",
      });
    case "rate-limit-bare":
      return error(429, "rate_limit_error", "Rate limit reached (simulated).");
    case "server-error":
      return error(500, "api_error", "Internal server error (simulated).");
    case "unavailable":
      return error(503, "api_error", "Service unavailable (simulated).");
    case "overloaded":
      return error(529, "overloaded_error", "Overloaded (simulated).");
    case "context-length":
      return error(
        400,
        protocol === "openai" ? "context_length_exceeded" : "invalid_request_error",
        "prompt is too long: the request exceeds the model's maximum context length (simulated).",
      );
    case "unauthorized":
      return error(401, "authentication_error", "Incorrect API key provided (simulated).");
    case "sse-error-body": {
      const body = `event: error\ndata: ${JSON.stringify(errorBody(protocol, "api_error", "Upstream failed (simulated)."))}\n\n`;
      response.writeHead(503, { "content-type": "text/event-stream" });
      response.end(body);
      return true;
    }
    case "reset":
      context.request.socket.destroy();
      return true;
    case "no-response":
      // Hold the request until the client gives up; the record shows when it did.
      await new Promise<void>((resolve) =>
        context.signal.addEventListener("abort", () => resolve()),
      );
      return true;
    default:
      return false;
  }
}

function errorBody(protocol: Protocol, type: string, message: string): unknown {
  if (protocol === "anthropic") return { type: "error", error: { type, message } };
  return {
    error: {
      message,
      type: type === "context_length_exceeded" ? "invalid_request_error" : type,
      param: null,
      code: type === "context_length_exceeded" ? "context_length_exceeded" : null,
    },
  };
}
