/**
 * Operators' limit controls, behind `requirePlatformOperator()`: the model
 * price table in KV (`GET`/`PUT /api/ops/prices`) and a team's plan
 * (`PUT /api/ops/teams/:teamId/plan`, 400 `invalid_team_id` for an id that
 * is not a UUID, 404 `team_not_found` for one no team has). KV propagates in
 * about 60 s.
 */
import { Hono } from "hono";
import { z } from "zod";
import { priceTableSchema } from "../../contract/prices.ts";
import { planIdSchema } from "../../durable-objects/limits/plans.ts";
import { requireExistingTeam } from "../db/operator-team.ts";
import type { AppBindings } from "../env.ts";
import { readPriceTable, writePriceTable } from "../limits/prices.ts";
import { logger } from "../logger.ts";
import { requirePlatformOperator } from "../middleware/auth/index.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "./access.ts";

const planBodySchema = z.object({ plan: planIdSchema });

export const opsLimitsRoutes = new Hono<AppBindings>()
  .use("*", requirePlatformOperator())
  .get("/prices", allow("GET /api/ops/prices"), async (c) =>
    c.json(await readPriceTable(c.env.KILN_KV)),
  )
  .put("/prices", allow("PUT /api/ops/prices"), async (c) => {
    const table = await parseJsonBody(c, priceTableSchema);
    await writePriceTable(c.env.KILN_KV, table);
    logger.info("ops.prices_updated", {
      requestId: c.get("requestId"),
      operator: c.get("auth").userId,
      models: Object.keys(table.models).length,
    });
    return c.json(table);
  })
  .put("/teams/:teamId/plan", allow("PUT /api/ops/teams/:teamId/plan"), async (c) => {
    const teamId = await requireExistingTeam(c.env, c.req.param("teamId"));
    const { plan } = await parseJsonBody(c, planBodySchema);
    const gateway = c.env.TEAM_GATEWAY.get(c.env.TEAM_GATEWAY.idFromName(teamId));
    await gateway.setPlan(plan);
    logger.info("ops.plan_changed", { requestId: c.get("requestId"), teamId, plan });
    return c.json(await gateway.limitsView());
  });
