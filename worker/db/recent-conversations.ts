/**
 * A conversation started moments ago is known before its first row is in
 * Postgres (its rows travel through the write queue): a KV marker per team
 * says so, so a reload or a follow-up turn can tell "still being saved" from
 * "does not exist".
 */
import type { Env } from "../env.ts";

/** How long a new conversation is known before its first row is certainly in Postgres. */
const RECENT_CONVERSATION_SECONDS = 300;

function recentKey(teamId: string, conversationId: string): string {
  return `recent-conversation:${teamId}:${conversationId}`;
}

export async function rememberNewConversation(env: Env, teamId: string, conversationId: string) {
  await env.KILN_KV.put(recentKey(teamId, conversationId), "1", {
    expirationTtl: RECENT_CONVERSATION_SECONDS,
  }).catch(() => {});
}

export async function isRecentConversation(env: Env, teamId: string, conversationId: string) {
  return (await env.KILN_KV.get(recentKey(teamId, conversationId)).catch(() => null)) !== null;
}
