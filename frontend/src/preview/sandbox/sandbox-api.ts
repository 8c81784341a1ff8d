/** The SPA's side of `/api/sandbox`: the run stream and the small JSON calls. */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type {
  SandboxCreateRequest,
  SandboxStatusResponse,
  SandboxStreamEvent,
  SandboxView,
} from "../../../../contract/sandbox.ts";
import { apiFetch, apiRequest } from "../../api/client.ts";
import type { ApiError, ApiResult } from "../../api/errors.ts";

export type RunOutcome =
  | { kind: "ended" }
  | { kind: "error"; error: ApiError }
  | { kind: "cut" }
  | { kind: "aborted" };

/**
 * Starts a run (or a recreate) and hands each event over as it arrives; with
 * `method: "GET"`, follows a running sandbox's runtime output the same way.
 */
export async function streamSandboxRun(options: {
  path: string;
  method?: "POST" | "GET";
  body?: SandboxCreateRequest;
  signal: AbortSignal;
  onEvent: (event: SandboxStreamEvent) => void;
}): Promise<RunOutcome> {
  const method = options.method ?? "POST";
  try {
    const result = await apiFetch(options.path, {
      method,
      ...(method === "POST" ? { body: options.body ?? {} } : {}),
      headers: { Accept: "text/event-stream" },
      signal: options.signal,
    });
    if (!result.ok) return { kind: "error", error: result.error };
    if (!result.data.body) return { kind: "cut" };

    const reader = result.data.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { kind: "ended" };
        options.onEvent(JSON.parse(value.data) as SandboxStreamEvent);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  } catch {
    return options.signal.aborted ? { kind: "aborted" } : { kind: "cut" };
  }
}

export function getSandbox(id: string): Promise<ApiResult<SandboxStatusResponse>> {
  return apiRequest<SandboxStatusResponse>(`/api/sandbox/${id}`);
}

export function keepSandboxAlive(id: string): Promise<ApiResult<{ sandbox: SandboxView }>> {
  return apiRequest(`/api/sandbox/${id}/keep-alive`, { method: "POST", body: {} });
}

export function stopSandbox(id: string): Promise<ApiResult<{ sandbox: SandboxView }>> {
  return apiRequest(`/api/sandbox/${id}/stop`, { method: "POST", body: {} });
}
