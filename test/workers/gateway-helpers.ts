/**
 * What the gateway tests share: routing written to KV the way the ops API
 * stores it, the simulator's call log (GET /_sim/calls, since workerd cannot
 * reach the simulator's memory), breaker states, and the saved answer.
 */
import { env } from "cloudflare:test";
import type { ConversationResponse, MessageView } from "../../contract/api.ts";
import type { RoutingConfig, RoutingTarget } from "../../contract/routing.ts";
import { ROUTING_KV_KEY } from "../../durable-objects/routing.ts";
import { type ReceivedEvent, readChatEvents } from "../support/sse.ts";
import { api } from "./helpers.ts";

export type SimCall = {
  id: string;
  protocol: "openai" | "anthropic";
  fault: string | null;
  receivedAt: number;
  closedAt: number | null;
  completed: boolean;
  /** The TCP connection that carried the call, numbered by the simulator in accept order. */
  connection: number;
};

export const FAST_TIMEOUTS = { connectMs: 800, firstTokenMs: 800, idleMs: 800 };

export function target(
  provider: RoutingTarget["provider"],
  options: Partial<RoutingTarget> = {},
): RoutingTarget {
  const model = provider === "simulator-openai" ? "sim-openai-model" : "sim-anthropic-model";
  return { provider, model, enabled: true, retries: 1, timeouts: FAST_TIMEOUTS, ...options };
}

/** The usual test route: the OpenAI-protocol simulator first, the Anthropic one as fallback. */
export const TWO_TARGETS: RoutingTarget[] = [
  target("simulator-openai"),
  target("simulator-anthropic"),
];

export async function setRouting(targets: RoutingTarget[], extra: Partial<RoutingConfig> = {}) {
  const config: RoutingConfig = {
    defaultClass: "final",
    classes: { final: { targets } },
    disabledProviders: [],
    ...extra,
  };
  await env.KILN_KV.put(
    ROUTING_KV_KEY,
    JSON.stringify({ version: 1, updatedAt: null, updatedBy: "test", config }),
  );
}

let tagCounter = 0;
export function newTag(): string {
  return `t${Date.now().toString(36)}${++tagCounter}`;
}

export function marker(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
  return `[[sim ${body}]]`;
}

export async function simCalls(tag: string): Promise<SimCall[]> {
  const response = await fetch(`${env.KILN_SIMULATOR_URL}/_sim/calls?tag=${tag}`);
  return ((await response.json()) as { calls: SimCall[] }).calls;
}

export function chat(
  token: string,
  message: string,
  headers: Record<string, string> = {},
  body: Record<string, unknown> = {},
) {
  return api("/api/chat", { token, body: { message, ...body }, headers });
}

export async function breakerOf(teamId: string, provider: string) {
  const stub = env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
  const { breakers } = await stub.breakerStates();
  return breakers.find((breaker) => breaker.provider === provider);
}

export function metaOf(events: ReceivedEvent[]) {
  const meta = events.find(({ event }) => event.type === "meta")?.event;
  if (meta?.type !== "meta") throw new Error("no meta event");
  return meta;
}

export function lastUsage(events: ReceivedEvent[]) {
  const usage = events.filter(({ event }) => event.type === "usage").at(-1)?.event;
  return usage?.type === "usage" ? usage.usage : undefined;
}

/** The saved assistant answer of a conversation, once the settle step wrote it. */
export async function savedAnswer(token: string, conversationId: string): Promise<MessageView> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const response = await api(`/api/conversations/${conversationId}`, { token });
    // Saved through the write queue: until the batch lands the conversation is a 404.
    const body = response.ok ? ((await response.json()) as ConversationResponse) : null;
    if (!response.ok) await response.body?.cancel();
    const answer = body?.messages.find((message) => message.role === "assistant");
    if (answer) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the answer was never saved");
}

export async function conversationIdOf(response: Response, events?: ReceivedEvent[]) {
  return response.headers.get("x-conversation-id") ?? (events ? metaOf(events).conversationId : "");
}

export { readChatEvents };
