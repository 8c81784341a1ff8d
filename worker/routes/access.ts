/**
 * Who may call what: every API route and the roles allowed on it, in one
 * table. A route states its row with `allow("METHOD /api/path")`, which also
 * resolves the active team (`X-Team-Id`) and checks the caller's role there.
 *
 * - `public`: anyone, no token;
 * - `signed-in`: any valid token; not scoped to a team;
 * - a list of team roles: the caller's role in the active team must be listed;
 * - `platform-operator`: Kiln's own operators only (app_metadata.kiln_role).
 *
 * Viewers read but never spend: no route that calls a model or a sandbox
 * lists them.
 */
import type { MiddlewareHandler } from "hono";
import { resolveActiveTeam } from "../db/active-team.ts";
import type { TeamRole } from "../db/memberships.ts";
import type { AppBindings } from "../env.ts";
import { ApiError } from "../errors.ts";

export type RouteAccess = "public" | "signed-in" | "platform-operator" | readonly TeamRole[];

const EVERY_ROLE = ["owner", "admin", "member", "viewer"] as const;
const SPENDERS = ["owner", "admin", "member"] as const;
const MANAGERS = ["owner", "admin"] as const;

// biome-ignore format: the table reads best as one aligned row per route.
export const ROUTE_ACCESS = {
  "GET /api/health":                         "public",
  "GET /api/config":                         "public",
  "POST /api/dev/sign-in":                   "public",
  "POST /api/dev/bench/admission":           "public",
  "GET /api/me":                             "signed-in",
  "POST /api/teams":                         "signed-in",
  "POST /api/invitations/:id/accept":        "signed-in",
  "GET /api/conversations":                  EVERY_ROLE,
  "GET /api/conversations/:id":              EVERY_ROLE,
  "POST /api/chat":                          SPENDERS,
  "POST /api/chat/stop":                     SPENDERS,
  "POST /api/context":                       SPENDERS,
  "GET /api/team/members":                   EVERY_ROLE,
  "POST /api/team/invitations":              MANAGERS,
  "DELETE /api/team/invitations/:id":        MANAGERS,
  "PATCH /api/team/members/:userId":         MANAGERS,
  "DELETE /api/team/members/:userId":        MANAGERS,
  "POST /api/sandbox":                       SPENDERS,
  "GET /api/sandbox/:id":                    EVERY_ROLE,
  "GET /api/sandbox/:id/logs":               EVERY_ROLE,
  "GET /api/sandbox/:id/logs/stream":        EVERY_ROLE,
  "POST /api/sandbox/:id/keep-alive":        SPENDERS,
  "POST /api/sandbox/:id/stop":              SPENDERS,
  "POST /api/sandbox/:id/recreate":          SPENDERS,
  "GET /api/sandbox/settings":               "platform-operator",
  "PUT /api/sandbox/settings":               "platform-operator",
  "GET /api/ops/routing":                    "platform-operator",
  "PUT /api/ops/routing":                    "platform-operator",
  "GET /api/ops/breakers":                   "platform-operator",
  "GET /api/ops/admission":                  "platform-operator",
  "PUT /api/ops/admission":                  "platform-operator",
  "GET /api/ops/admission/waitlist":         "platform-operator",
  "POST /api/ops/admission/admit":           "platform-operator",
  "GET /api/usage":                          EVERY_ROLE,
  "GET /api/usage.csv":                      EVERY_ROLE,
  "GET /api/limits/estimate":                EVERY_ROLE,
  "PUT /api/limits":                         MANAGERS,
  "PUT /api/limits/webhook":                 MANAGERS,
  "GET /api/ops/prices":                     "platform-operator",
  "PUT /api/ops/prices":                     "platform-operator",
  "PUT /api/ops/teams/:teamId/plan":         "platform-operator",
  "GET /api/metrics":                        EVERY_ROLE,
  "GET /api/ops/observability":              "platform-operator",
  "GET /api/ops/switches":                   "platform-operator",
  "PUT /api/ops/switches":                   "platform-operator",
} as const satisfies Record<string, RouteAccess>;

export type RouteName = keyof typeof ROUTE_ACCESS;

/** Enforces the route's row of ROUTE_ACCESS; runs after `requireAuth`. */
export function allow(route: RouteName): MiddlewareHandler<AppBindings> {
  const access: RouteAccess = ROUTE_ACCESS[route];

  return async function allowMiddleware(c, next) {
    if (access === "public" || access === "signed-in") return next();

    const auth = c.get("auth");
    if (access === "platform-operator") {
      if (!auth.isPlatformOperator) {
        throw new ApiError({
          status: 403,
          code: "forbidden",
          message: "Only Kiln's platform operators may use this route.",
          hint: "Ask an operator; the role is set in the user's app_metadata.kiln_role.",
        });
      }
      return next();
    }

    const team = await resolveActiveTeam(c.env, {
      auth,
      requestedTeamId: c.req.header("x-team-id"),
    });
    if (!(access as readonly string[]).includes(team.role)) {
      throw forbidden(
        `Your role in ${team.name} is ${team.role}; this needs ${access.join(" or ")}.`,
      );
    }
    c.set("team", team);
    await next();
  };
}

function forbidden(message: string): ApiError {
  return new ApiError({
    status: 403,
    code: "forbidden",
    message,
    hint: "Ask an owner or admin of the team to change your role.",
  });
}
