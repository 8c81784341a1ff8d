/**
 * Ops routes name a team in the path or query (`/api/ops/teams/:teamId/plan`,
 * `?teamId=`). Operators are not members, so no membership check finds the
 * team for them: this does, so a typo is a 400 and an unknown team a 404
 * instead of a Durable Object quietly made up for an id nobody owns.
 */
import { z } from "zod";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { withSql } from "./client.ts";

const teamIdSchema = z.uuid();

/** The id as given when it is shaped like a team id (a UUID), else a 400 `invalid_team_id`. */
export function parseTeamId(value: string): string {
  if (teamIdSchema.safeParse(value).success) return value.toLowerCase();
  throw new ApiError({
    status: 400,
    code: "invalid_team_id",
    message: "The team id is not a UUID.",
    hint: "Copy the team's id (a UUID such as 7d9f…-…) from GET /api/me or the ops page.",
  });
}

/** A well-formed id of a team that exists, else 400 `invalid_team_id` or 404 `team_not_found`. */
export async function requireExistingTeam(env: Env, value: string): Promise<string> {
  const teamId = parseTeamId(value);
  const rows = await withSql(
    env,
    (sql) => sql<{ id: string }[]>`select id from public.teams where id = ${teamId}`,
  );
  if (rows.length === 0) {
    throw new ApiError({
      status: 404,
      code: "team_not_found",
      message: "No team has this id.",
      hint: "Check the id; a deleted team cannot be given a plan.",
    });
  }
  return teamId;
}
