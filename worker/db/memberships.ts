/**
 * Who belongs to which team, with which role, as the hot path sees it.
 *
 * Checked on every team-scoped request, so it must not cost a Postgres round
 * trip each time. Answers are cached for MEMBERSHIP_TTL_MS in two layers:
 * the isolate's memory and KV (shared by the colo's isolates, and surviving
 * them). Each cached answer carries the time it was read from Postgres and
 * is ignored once older than the TTL, whatever KV's own propagation delay,
 * so a member removed in another colo loses access within 30 s; in the colo
 * where the change is made, the entry is dropped at once.
 *
 * Past the TTL, the cached answer is still used for that one request while
 * Postgres is asked again in the background (stale-while-revalidate, one
 * read per key at a time), so no request waits on Postgres once the answer
 * is known: a removal made elsewhere applies from the request after the
 * refresh, and with Postgres down the last answer keeps working for up to
 * MEMBERSHIP_STALE_MS. Only an answer older than that, or none at all, is
 * read before the request goes on.
 *
 * Why not the team's Durable Object: it would be strongly consistent, but
 * every request (not only chat) would pay a call to it before the role is
 * known, and the object is the gateway's single writer, which should not
 * also serve reads for every route. KV with a short TTL bounds staleness
 * and costs nothing per request; the gap is at most the TTL.
 */
import type { TeamView } from "../../contract/api.ts";
import type { AuthContext } from "../auth/verify.ts";
import type { Env } from "../env.ts";
import { BackgroundReads } from "./background-read.ts";
import { withSql } from "./client.ts";
import { asTenant } from "./tenant.ts";

export const TEAM_ROLES = ["owner", "admin", "member", "viewer"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** Half the 60 s promised for a removal to take effect, to leave room for clock skew. */
export const MEMBERSHIP_TTL_MS = 30_000;
/** How long a known answer may stand in while Postgres cannot be asked (an outage). */
export const MEMBERSHIP_STALE_MS = 10 * 60_000;
/** KV keeps entries as long as they may stand in; they are also judged by their own timestamp. */
const KV_EXPIRATION_SECONDS = MEMBERSHIP_STALE_MS / 1000;

type CachedMembership = { team: TeamView | null; checkedAtMs: number };

const isolateMemberships = new Map<string, CachedMembership>();

function cacheKey(teamId: string, userId: string): string {
  return `membership:${teamId}:${userId}`;
}

/** The caller's team and role, or null when they are not a member. */
export async function findMembership(
  env: Env,
  options: { auth: AuthContext; teamId: string; now?: number },
): Promise<TeamView | null> {
  const now = options.now ?? Date.now();
  const key = cacheKey(options.teamId, options.auth.userId);
  const age = (entry: CachedMembership | null | undefined) =>
    entry && now >= entry.checkedAtMs ? now - entry.checkedAtMs : Number.POSITIVE_INFINITY;

  let known: CachedMembership | null | undefined = isolateMemberships.get(key);
  if (age(known) >= MEMBERSHIP_TTL_MS) {
    const stored = await env.KILN_KV.get<CachedMembership>(key, "json").catch(() => null);
    if (age(stored) < age(known)) {
      known = stored;
      if (stored) isolateMemberships.set(key, stored);
    }
  }

  const knownAge = age(known);
  if (known && knownAge < MEMBERSHIP_TTL_MS) return known.team;
  if (known && knownAge < MEMBERSHIP_STALE_MS) {
    refreshing.start(key, () => refresh(env, { ...options, key, now }));
    return known.team;
  }
  return refresh(env, { ...options, key, now });
}

/** Answers being read again while the known one serves. */
const refreshing = new BackgroundReads();

async function refresh(
  env: Env,
  options: { auth: AuthContext; teamId: string; key: string; now: number },
): Promise<TeamView | null> {
  const team = await readMembership(env, options.auth, options.teamId);
  const entry: CachedMembership = { team, checkedAtMs: options.now };
  isolateMemberships.set(options.key, entry);
  await env.KILN_KV.put(options.key, JSON.stringify(entry), {
    expirationTtl: KV_EXPIRATION_SECONDS,
  }).catch(() => {});
  return team;
}

/** Drops a cached answer after a membership changed, so this colo sees it at once. */
export async function forgetMembership(env: Env, teamId: string, userId: string): Promise<void> {
  const key = cacheKey(teamId, userId);
  isolateMemberships.delete(key);
  await env.KILN_KV.delete(key).catch(() => {});
}

async function readMembership(
  env: Env,
  auth: AuthContext,
  teamId: string,
): Promise<TeamView | null> {
  const rows = await withSql(env, (sql) =>
    asTenant(
      sql,
      auth,
      (tx) => tx<TeamView[]>`
        select t.id, t.name, m.role
        from public.memberships m join public.teams t on t.id = m.team_id
        where m.team_id = ${teamId} and m.user_id = ${auth.userId}`,
    ),
  );
  return rows[0] ?? null;
}

/** Tests only: forget what this isolate holds, as a new isolate would. */
export function forgetIsolateMemberships(): void {
  isolateMemberships.clear();
}
