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
 * Why not the team's Durable Object: it would be strongly consistent, but
 * every request (not only chat) would pay a call to it before the role is
 * known, and the object is the gateway's single writer, which should not
 * also serve reads for every route. KV with a short TTL bounds staleness
 * and costs nothing per request; the gap is at most the TTL.
 */
import type { TeamView } from "../../contract/api.ts";
import type { AuthContext } from "../auth/verify.ts";
import type { Env } from "../env.ts";
import { withSql } from "./client.ts";
import { asTenant } from "./tenant.ts";

export const TEAM_ROLES = ["owner", "admin", "member", "viewer"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** Half the 60 s promised for a removal to take effect, to leave room for clock skew. */
export const MEMBERSHIP_TTL_MS = 30_000;
/** KV's shortest expiration; entries are also judged by their own timestamp. */
const KV_EXPIRATION_SECONDS = 60;

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
  const fresh = (entry: CachedMembership | null | undefined) =>
    entry && now - entry.checkedAtMs < MEMBERSHIP_TTL_MS && now >= entry.checkedAtMs;

  const remembered = isolateMemberships.get(key);
  if (fresh(remembered)) return remembered?.team ?? null;

  const stored = await env.KILN_KV.get<CachedMembership>(key, "json").catch(() => null);
  if (stored && fresh(stored)) {
    isolateMemberships.set(key, stored);
    return stored.team;
  }

  const team = await readMembership(env, options.auth, options.teamId);
  const entry: CachedMembership = { team, checkedAtMs: now };
  isolateMemberships.set(key, entry);
  await env.KILN_KV.put(key, JSON.stringify(entry), { expirationTtl: KV_EXPIRATION_SECONDS }).catch(
    () => {},
  );
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
