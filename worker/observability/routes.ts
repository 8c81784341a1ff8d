/**
 * `GET /api/metrics`: the active team's rolling figures, for its dashboard.
 * `GET /api/ops/observability`: platform-wide figures and alerts (operators).
 * `GET|PUT /api/ops/switches`: the incident switches (operators).
 */
import { Hono } from "hono";
import {
  incidentSwitchesUpdateSchema,
  type OpsObservabilityResponse,
  type TeamMetricsResponse,
} from "../../contract/observability.ts";
import { PROVIDER_IDS } from "../../contract/routing.ts";
import { platformMetrics } from "../../durable-objects/observability/platform-metrics.ts";
import { providerEndpoint } from "../../durable-objects/routing.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import type { AppBindings, Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { requirePlatformOperator } from "../middleware/auth/index.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "../routes/access.ts";
import { readSwitchesForOperators, updateIncidentSwitches } from "./switches.ts";

export const observabilityRoutes = new Hono<AppBindings>()
  .get("/metrics", allow("GET /api/metrics"), async (c) => {
    const auth = c.get("auth");
    const team = await resolveActiveTeam(c.env, {
      auth,
      requestedTeamId: c.req.header("x-team-id"),
    });
    c.set("teamId", team.id);

    const gateway = c.env.TEAM_GATEWAY.get(c.env.TEAM_GATEWAY.idFromName(team.id));
    const body: TeamMetricsResponse = await gateway.metrics(team.id);
    return c.json(body);
  })
  .use("/ops/*", requirePlatformOperator())
  .get("/ops/observability", allow("GET /api/ops/observability"), async (c) => {
    const [figures, switches] = await Promise.all([
      platformMetrics(c.env).overview(),
      readSwitchesForOperators(c.env.KILN_KV),
    ]);
    const body: OpsObservabilityResponse = { ...figures, switches };
    return c.json(body);
  })
  .get("/ops/switches", allow("GET /api/ops/switches"), async (c) =>
    c.json(await readSwitchesForOperators(c.env.KILN_KV)),
  )
  .put("/ops/switches", allow("PUT /api/ops/switches"), async (c) => {
    const update = await parseJsonBody(c, incidentSwitchesUpdateSchema);
    if (update.forcedFallback) refuseUnconfigured(c.env, update.forcedFallback.provider);
    await updateIncidentSwitches({
      kv: c.env.KILN_KV,
      update,
      operatorEmail: c.get("auth").email,
      now: Date.now(),
    });
    return c.json(await readSwitchesForOperators(c.env.KILN_KV));
  });

/**
 * A forced fallback to a provider with no key (or URL) in this environment
 * would turn every answer into a 503: refuse it and name the ones that work.
 */
function refuseUnconfigured(env: Env, provider: (typeof PROVIDER_IDS)[number]) {
  if (providerEndpoint(env, provider)) return;
  const configured = PROVIDER_IDS.filter((id) => providerEndpoint(env, id) !== null);
  throw new ApiError({
    status: 400,
    code: "provider_not_configured",
    message: `${provider} has no key or URL in this environment, so it cannot take every answer.`,
    hint: `Force one of the configured providers: ${configured.join(", ") || "none"}; or set ${provider}'s key first.`,
  });
}
