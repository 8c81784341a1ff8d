/**
 * Development sign-in: `POST /api/dev/sign-in { email }` returns a token shaped
 * like a Supabase access token and the person's team. The app only mounts
 * this route when ENVIRONMENT is development or test.
 */
import { Hono } from "hono";
import { type DevSignInResponse, devSignInRequestSchema } from "../../contract/api.ts";
import { DEV_TOKEN_LIFETIME_SECONDS, devUserId, issueDevAccessToken } from "../auth/dev-tokens.ts";
import { withSql } from "../db/client.ts";
import { ensurePersonalTeam } from "../db/teams.ts";
import type { AppBindings } from "../env.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";

export const devSignInRoutes = new Hono<AppBindings>().post("/sign-in", async (c) => {
  const { email } = await parseJsonBody(c, devSignInRequestSchema);
  const normalised = email.trim().toLowerCase();
  const userId = await devUserId(normalised);

  const team = await withSql(c.env, (sql) =>
    ensurePersonalTeam(sql, { id: userId, email: normalised }),
  );
  const { token, expiresAt } = await issueDevAccessToken({
    env: c.env,
    requestUrl: c.req.url,
    userId,
    email: normalised,
  });

  const body: DevSignInResponse = {
    access_token: token,
    token_type: "bearer",
    expires_in: DEV_TOKEN_LIFETIME_SECONDS,
    expires_at: expiresAt,
    user: { id: userId, email: normalised },
    team_id: team.id,
    team: { id: team.id, name: team.name },
  };
  return c.json(body);
});
