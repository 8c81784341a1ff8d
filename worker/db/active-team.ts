/**
 * The team a request acts for: the one named by `X-Team-Id`, which the
 * caller must belong to, or else their first team (their personal team,
 * created on first use). Memberships come from the cache in memberships.ts,
 * and the default team is remembered the same way, so a warm path costs no
 * Postgres round trip and does not wait on a Postgres that stopped answering.
 */
import { z } from "zod";
import type { TeamView } from "../../contract/api.ts";
import type { AuthContext } from "../auth/verify.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { BackgroundReads } from "./background-read.ts";
import { withSql } from "./client.ts";
import { findMembership, MEMBERSHIP_STALE_MS } from "./memberships.ts";
import { ensurePersonalTeam, listTeamsForUser } from "./teams.ts";
import { asTenant } from "./tenant.ts";

const teamIdSchema = z.uuid();
const DEFAULT_TEAM_TTL_MS = 30_000;
const isolateDefaultTeams = new Map<string, { teamId: string; checkedAtMs: number }>();
/** Default teams being looked up again while the remembered one serves. */
const refreshing = new BackgroundReads();

export async function resolveActiveTeam(
  env: Env,
  options: { auth: AuthContext; requestedTeamId: string | undefined },
): Promise<TeamView> {
  const { auth } = options;
  const requested = options.requestedTeamId?.trim();
  if (requested) {
    if (!teamIdSchema.safeParse(requested).success) throw malformedTeamId();
    const team = await findMembership(env, { auth, teamId: requested });
    if (!team) throw notAMember();
    return team;
  }

  // Like memberships: past the TTL the remembered team still serves while it is looked up again.
  const remembered = isolateDefaultTeams.get(auth.userId);
  const age = remembered ? Date.now() - remembered.checkedAtMs : Number.POSITIVE_INFINITY;
  if (remembered && age < MEMBERSHIP_STALE_MS) {
    const team = await findMembership(env, { auth, teamId: remembered.teamId });
    if (team) {
      if (age >= DEFAULT_TEAM_TTL_MS) {
        refreshing.start(auth.userId, () => readDefaultTeam(env, auth));
      }
      return team;
    }
  }
  return readDefaultTeam(env, auth);
}

async function readDefaultTeam(env: Env, auth: AuthContext): Promise<TeamView> {
  const team = await withSql(env, async (sql) => {
    const teams = await asTenant(sql, auth, (tx) => listTeamsForUser(tx, auth.userId));
    // Creating the personal team is privileged: no team exists yet to grant it.
    return teams[0] ?? ensurePersonalTeam(sql, { id: auth.userId, email: auth.email });
  });
  isolateDefaultTeams.set(auth.userId, { teamId: team.id, checkedAtMs: Date.now() });
  return team;
}

function malformedTeamId(): ApiError {
  return new ApiError({
    status: 400,
    code: "invalid_team_id",
    message: "The X-Team-Id header is not a team id.",
    hint: "Send the id (a UUID) of one of your teams from GET /api/me, or leave the header out.",
  });
}

function notAMember(): ApiError {
  return new ApiError({
    status: 403,
    code: "forbidden",
    message: "You are not a member of that team.",
    hint: "Pick one of your teams, or ask its owner for an invitation.",
  });
}
