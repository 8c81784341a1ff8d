/**
 * The Worker's side of the gateway protocol for `POST /api/chat`: reads the
 * Idempotency-Key and Last-Event-ID, claims the key at the team's
 * TeamGateway before anything is saved (so a duplicate never saves a second
 * message), and passes the gateway's SSE answer straight through, so a
 * disconnect reaches the gateway as a cancel.
 */
import type { Context } from "hono";
import type {
  GatewayChatRequest,
  GatewayStreamRequest,
} from "../../durable-objects/chat-request.ts";
import type { AppBindings, Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { formatTraceparent } from "../observability/trace.ts";

const KEY_PATTERN = /^[\x21-\x7e]{8,200}$/;

export function teamGateway(env: Env, teamId: string) {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
}

/** The client's key, or one made up for this request (which then cannot be resumed). */
export function readIdempotencyKey(c: Context<AppBindings>): string {
  const key = c.req.header("idempotency-key")?.trim();
  if (key === undefined || key === "") return `request:${c.get("requestId")}`;
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError({
      status: 400,
      code: "invalid_idempotency_key",
      message: "Idempotency-Key must be 8 to 200 printable ASCII characters.",
      hint: "Send a fresh UUID per message, and the same one when retrying it.",
    });
  }
  return key;
}

function readLastEventId(c: Context<AppBindings>): number {
  const value = Number(c.req.header("last-event-id") ?? "0");
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** SHA-256 of the validated body: the same key with another body is a client bug (422). */
export async function hashBody(body: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Claims the key, saves the turn only when this request is the first with
 * it (`recordTurn`), and returns the gateway's answer: the new stream, the
 * in-flight one joined, or the finished one replayed.
 */
export async function forwardChat(
  c: Context<AppBindings>,
  options: { teamId: string; body: unknown; recordTurn: () => Promise<GatewayChatRequest> },
): Promise<Response> {
  const key = readIdempotencyKey(c);
  const requestId = c.get("requestId");
  const gateway = teamGateway(c.env, options.teamId);

  const claim = await gateway.claim({ key, bodyHash: await hashBody(options.body) });
  if (claim === "mismatch") {
    throw new ApiError({
      status: 422,
      code: "idempotency_key_reused",
      message: "This Idempotency-Key was already used for a different message.",
      hint: "Use a new Idempotency-Key for each new message.",
    });
  }

  let turn: GatewayChatRequest | null = null;
  if (claim === "new") {
    try {
      turn = await options.recordTurn();
    } catch (error) {
      await gateway.release(key);
      throw error;
    }
  }

  const request: GatewayStreamRequest = { key, requestId, lastEventId: readLastEventId(c), turn };
  const response = await gateway.fetch("https://team-gateway/chat", {
    method: "POST",
    // The team object's span is a child of the Worker's (issue 7).
    headers: { traceparent: formatTraceparent(c.get("trace")) },
    body: JSON.stringify(request),
  });

  const headers = new Headers(response.headers);
  headers.set("X-Request-Id", requestId);
  if (turn) headers.set("X-Conversation-Id", turn.conversationId);
  return new Response(response.body, { status: response.status, headers });
}

/** `POST /api/chat/stop`: ends the answer for a key now, upstream call included. */
export async function stopChat(c: Context<AppBindings>, teamId: string): Promise<boolean> {
  const key = c.req.header("idempotency-key")?.trim() ?? "";
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError({
      status: 400,
      code: "invalid_idempotency_key",
      message: "Stop needs the Idempotency-Key of the answer to stop.",
      hint: "Send the same Idempotency-Key header the chat request used.",
    });
  }
  return teamGateway(c.env, teamId).stop(key);
}
