/**
 * The one check on the path where a person first gets a team:
 * `ensurePersonalTeam` calls it before creating anything, whichever route got
 * there (development sign-in, `/api/me`, the first chat). It reads the
 * request's env and caller from Hono's context storage (AsyncLocalStorage,
 * `contextStorage()` in app.ts), so the routes and the team code need no
 * extra parameters; outside a request it refuses, because it cannot tell who
 * is asking.
 */
import { tryGetContext } from "hono/context-storage";
import { isDevelopment, platformOperatorEmails } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { AppBindings, Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { decideAdmission } from "./policy.ts";
import { joinWaitlist, readPolicy } from "./store.ts";

export async function admitNewPerson(sql: Sql, person: { id: string; email: string }) {
  const context = tryGetContext<AppBindings>();
  if (!context) throw new Error("admitNewPerson runs only inside a request (contextStorage)");
  const env = context.env;
  const email = person.email.trim().toLowerCase();

  if (isPlatformOperator(env, context.var.auth, email)) return;
  if (await belongsToATeam(sql, person.id)) return;

  const decision = decideAdmission(await readPolicy(env), email);
  if (decision.admitted) return;

  if (decision.mode === "waitlist" && email) {
    await joinWaitlist(env, email);
    throw new ApiError({
      status: 403,
      code: "waitlisted",
      message: `Kiln is in a limited beta; ${email} is on the waitlist.`,
      hint: "You can sign in as soon as an operator admits you; there is nothing else to do.",
    });
  }
  throw new ApiError({
    status: 403,
    code: "not_admitted",
    message: "Kiln is not open for sign-up yet.",
    hint: "Ask a Kiln operator to add your email or domain to the allow-list.",
  });
}

/** From the verified token; on development sign-in (no token yet), from KILN_PLATFORM_OPERATORS. */
function isPlatformOperator(
  env: Env,
  auth: AppBindings["Variables"]["auth"] | undefined,
  email: string,
): boolean {
  if (auth) return auth.isPlatformOperator;
  return isDevelopment(env) && platformOperatorEmails(env).includes(email);
}

async function belongsToATeam(sql: Sql, userId: string): Promise<boolean> {
  const rows = await sql`select 1 from public.memberships where user_id = ${userId} limit 1`;
  return rows.length > 0;
}
