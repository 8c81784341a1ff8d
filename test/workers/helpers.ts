import { SELF } from "cloudflare:test";
import type { ConversationResponse, DevSignInResponse } from "../../contract/api.ts";

export const BASE = "https://kiln.test";

let counter = 0;

/** A new person with a personal team, signed in through the development route. */
export async function signIn(email?: string): Promise<DevSignInResponse> {
  const address = email ?? `person-${Date.now()}-${++counter}@example.com`;
  const response = await SELF.fetch(`${BASE}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: address }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${await response.text()}`);
  return response.json();
}

export function api(
  path: string,
  options: {
    token?: string;
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return SELF.fetch(`${BASE}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
}

type ErrorBody = { error: { code: string; message: string; hint?: string; requestId: string } };

/** The documented error shape, with the request id matching the response header. */
export async function readError(response: Response): Promise<ErrorBody["error"]> {
  const body = (await response.json()) as ErrorBody;
  if (body.error.requestId !== response.headers.get("x-request-id")) {
    throw new Error("error body and X-Request-Id disagree");
  }
  return body.error;
}

/**
 * Messages are saved through the write queue, so they land a moment after
 * the stream ends: polls the conversation until it holds `count` messages
 * (or gives up after `timeoutMs`, returning what it last saw).
 */
export async function waitForMessages(options: {
  token: string;
  conversationId: string;
  count: number;
  teamId?: string;
  timeoutMs?: number;
}): Promise<ConversationResponse | null> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: ConversationResponse | null = null;
  while (Date.now() < deadline) {
    const response = await api(`/api/conversations/${options.conversationId}`, {
      token: options.token,
      headers: options.teamId ? { "x-team-id": options.teamId } : {},
    });
    if (response.status === 200) {
      last = (await response.json()) as ConversationResponse;
      if (last.messages.length >= options.count) return last;
    } else {
      await response.body?.cancel();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}
