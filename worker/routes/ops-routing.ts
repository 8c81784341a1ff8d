/**
 * The ops API for provider routing, for platform operators only:
 * `GET /api/ops/routing` reads the routing document from KV (or the
 * default), `PUT /api/ops/routing` replaces it after validation, with
 * optimistic concurrency: the body names the version it edited, and a
 * different stored version is a 409. `GET /api/ops/breakers` shows a team's
 * circuit breakers (the caller's active team, or `?teamId=`).
 *
 * KV has no compare-and-set, so two saves within the same instant can both
 * pass the check; edits are rare and human, and the version still catches
 * the common lost update (two operators editing the same old copy).
 */
import { Hono } from "hono";
import {
  type OpsBreakersResponse,
  type OpsRoutingResponse,
  type RoutingDocument,
  routingUpdateSchema,
} from "../../contract/routing.ts";
import { ROUTING_KV_KEY, readRouting } from "../../durable-objects/routing.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import { parseTeamId } from "../db/operator-team.ts";
import type { AppBindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { logger } from "../logger.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "./access.ts";
import { teamGateway } from "./chat-gateway.ts";

export const opsRoutingRoutes = new Hono<AppBindings>()
  .get("/routing", allow("GET /api/ops/routing"), async (c) => {
    const body: OpsRoutingResponse = { routing: await readRouting(c.env) };
    return c.json(body);
  })
  .put("/routing", allow("PUT /api/ops/routing"), async (c) => {
    const update = await parseJsonBody(c, routingUpdateSchema);
    const current = await readRouting(c.env);
    if (current.version !== update.expectedVersion) {
      throw new ApiError({
        status: 409,
        code: "version_conflict",
        message: `The routing was changed by someone else (version ${current.version}, you edited ${update.expectedVersion}).`,
        hint: "Reload the routing, apply your change again, and save.",
      });
    }

    const auth = c.get("auth");
    const next: RoutingDocument = {
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: auth.email,
      source: "kv",
      config: update.config,
    };
    await c.env.KILN_KV.put(ROUTING_KV_KEY, JSON.stringify(next));
    logger.info("ops.routing_saved", { version: next.version, by: auth.userId });

    const body: OpsRoutingResponse = { routing: next };
    return c.json(body);
  })
  .get("/breakers", allow("GET /api/ops/breakers"), async (c) => {
    const requested = c.req.query("teamId");
    let teamId: string;
    if (requested !== undefined) {
      teamId = parseTeamId(requested);
    } else {
      const team = await resolveActiveTeam(c.env, {
        auth: c.get("auth"),
        requestedTeamId: c.req.header("x-team-id"),
      });
      teamId = team.id;
    }

    const states = await teamGateway(c.env, teamId).breakerStates();
    const body: OpsBreakersResponse = { teamId, breakers: states.breakers };
    return c.json(body);
  });
