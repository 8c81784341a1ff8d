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
import { platformMetrics } from "../../durable-objects/observability/platform-metrics.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import type { AppBindings } from "../env.ts";
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
    await updateIncidentSwitches({
      kv: c.env.KILN_KV,
      update,
      operatorEmail: c.get("auth").email,
      now: Date.now(),
    });
    return c.json(await readSwitchesForOperators(c.env.KILN_KV));
  });
