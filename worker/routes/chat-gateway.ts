/**
 * The Worker's side of the gateway protocol for `POST /api/chat`: reads the
 * Idempotency-Key and Last-Event-ID, sends the turn to the team's
 * TeamGateway in one call (the gateway claims the key before anything is
 * saved, so a duplicate never saves a second message), and passes the
 * gateway's SSE answer straight through, so a disconnect reaches the
 * gateway as a cancel. One call, not a claim and then a stream: the object
 * may be a continent away from the Worker, and each round trip to it is
 * time before the first token.
 */
import type { Context } from "hono";
import type { ChatRequest } from "../../contract/api.ts";
import { type GatewayStreamRequest, NEW_TURN_HEADER } from "../../durable-objects/chat-request.ts";
import type { AppBindings, Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { formatTraceparent } from "../observability/trace.ts";
import type { PreparedTurn } from "./chat-turn.ts";

/**
 * Any printable ASCII, the space included (as Stripe accepts): people build
 * keys from readable parts ("retry 2 of order 17"). Control characters, DEL
 * and non-ASCII are refused; HTTP already trims spaces at either end.
 */
const KEY_CHARACTERS = /^[\x20-\x7e]*$/;
const KEY_MIN_LENGTH = 8;
const KEY_MAX_LENGTH = 200;

export function teamGateway(env: Env, teamId: string) {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
}

/** The client's key, or one made up for this request (which then cannot be resumed). */
export function readIdempotencyKey(c: Context<AppBindings>): string {
  const key = c.req.header("idempotency-key")?.trim();
  if (key === undefined || key === "") return `request:${c.get("requestId")}`;
  const problem = keyProblem(key);
  if (problem) {
    throw new ApiError({
      status: 400,
      code: "invalid_idempotency_key",
      message: `Idempotency-Key ${problem}.`,
      hint: `Use ${KEY_MIN_LENGTH} to ${KEY_MAX_LENGTH} printable ASCII characters (spaces allowed), such as a fresh UUID per message, and the same key when retrying it.`,
    });
  }
  return key;
}

/** What is wrong with a key, in words, or undefined when it is acceptable. */
function keyProblem(key: string): string | undefined {
  if (key.length < KEY_MIN_LENGTH) {
    return `is ${key.length} characters long; it needs at least ${KEY_MIN_LENGTH}`;
  }
  if (key.length > KEY_MAX_LENGTH) {
    return `is ${key.length} characters long; at most ${KEY_MAX_LENGTH} are accepted`;
  }
  if (!KEY_CHARACTERS.test(key)) {
    return "contains a control or non-ASCII character";
  }
  return undefined;
}

function readLastEventId(c: Context<AppBindings>): number {
  const value = Number(c.req.header("last-event-id") ?? "0");
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/**
 * The fingerprint a reused key is compared by: SHA-256 of the validated body
 * with its defaults written out, so a retry that spells a default
 * (`quality: "draft"`, `attachments: []`) is the same request as one that
 * leaves it out, while any real difference is still a different message (422).
 * Keys are listed in a fixed order, so the JSON's own order does not count.
 */
export async function chatFingerprint(body: ChatRequest): Promise<string> {
  const normalised = {
    message: body.message,
    conversationId: body.conversationId ?? null,
    // No default: left out, the conversation's own template applies.
    template: body.template ?? null,
    // No default: left out, the routing's class for the quality applies.
    model: body.model ?? null,
    attachments: (body.attachments ?? []).map((attachment) => ({
      path: attachment.path,
      content: attachment.content,
      startLine: attachment.startLine ?? null,
      endLine: attachment.endLine ?? null,
    })),
    contextIds: body.contextIds ?? [],
    quality: body.quality ?? "draft",
  };
  const bytes = new TextEncoder().encode(JSON.stringify(normalised));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Hands the turn to the team's gateway, which claims the key, saves the
 * turn only when this request is the first with it, and answers: the new
 * stream, the in-flight one joined, the finished one replayed, or 422 for a
 * key reused with another body.
 */
export async function forwardChat(
  c: Context<AppBindings>,
  options: { teamId: string; body: ChatRequest; turn: PreparedTurn },
): Promise<{ response: Response; isNewTurn: boolean }> {
  const key = readIdempotencyKey(c);
  const requestId = c.get("requestId");
  const { chat, writes, newConversation } = options.turn;

  const request: GatewayStreamRequest = {
    key,
    requestId,
    lastEventId: readLastEventId(c),
    turn: { bodyHash: await chatFingerprint(options.body), chat, writes, newConversation },
  };
  const response = await teamGateway(c.env, options.teamId).fetch("https://team-gateway/chat", {
    method: "POST",
    // The team object's span is a child of the Worker's (issue 7).
    headers: { traceparent: formatTraceparent(c.get("trace")) },
    body: JSON.stringify(request),
  });

  const headers = new Headers(response.headers);
  const isNewTurn = headers.has(NEW_TURN_HEADER);
  headers.delete(NEW_TURN_HEADER);
  headers.set("X-Request-Id", requestId);
  return {
    response: new Response(response.body, { status: response.status, headers }),
    isNewTurn,
  };
}

/** `POST /api/chat/stop`: ends the answer for a key now, upstream call included. */
export async function stopChat(c: Context<AppBindings>, teamId: string): Promise<boolean> {
  const key = c.req.header("idempotency-key")?.trim() ?? "";
  if (keyProblem(key)) {
    throw new ApiError({
      status: 400,
      code: "invalid_idempotency_key",
      message: "Stop needs the Idempotency-Key of the answer to stop.",
      hint: "Send the same Idempotency-Key header the chat request used.",
    });
  }
  return teamGateway(c.env, teamId).stop(key);
}
