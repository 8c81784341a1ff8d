import type { TeamView } from "../../contract/api.ts";
import type { AuthContext } from "../auth/verify.ts";
import { ApiError } from "../errors.ts";
import type { Sql } from "./client.ts";
import { ensurePersonalTeam, listTeamsForUser } from "./teams.ts";

/**
 * The team a request acts for: the one named by `X-Team-Id`, which the
 * caller must belong to, or else their first team (their personal team,
 * created on first use).
 *
 * TODO(soon): cache memberships in the isolate for under 60 s so the chat hot
 * path costs no Postgres round trip (issue: identity and tenant isolation).
 */
export async function resolveActiveTeam(
  sql: Sql,
  options: { auth: AuthContext; requestedTeamId: string | undefined },
): Promise<TeamView> {
  const teams = await listTeamsForUser(sql, options.auth.userId);

  if (options.requestedTeamId) {
    const team = teams.find((candidate) => candidate.id === options.requestedTeamId);
    if (!team) {
      throw new ApiError({
        status: 403,
        code: "forbidden",
        message: "You are not a member of that team.",
        hint: "Pick one of your teams, or ask its owner for an invitation.",
      });
    }
    return team;
  }

  return (
    teams[0] ?? ensurePersonalTeam(sql, { id: options.auth.userId, email: options.auth.email })
  );
}
