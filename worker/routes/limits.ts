/**
 * Usage and team limits: `GET /api/usage` (JSON) and `/api/usage.csv`,
 * `PUT /api/limits` (team admins set overrides within the plan) and
 * `PUT /api/limits/webhook` (where budget alerts are posted). Owners and
 * admins see the whole team's usage; everyone else sees their own.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { TeamView } from "../../contract/api.ts";
import { priceFor } from "../../contract/prices.ts";
import { MAX_OUTPUT_TOKENS, promptBudget } from "../../contract/prompt-budget.ts";
import type { EstimateBasis, UsageResponse } from "../../contract/usage.ts";
import { modelClassFor } from "../../durable-objects/limits/draft-final.ts";
import { limitOverridesSchema } from "../../durable-objects/limits/plans.ts";
import { chainFor, readRouting } from "../../durable-objects/routing.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import { type Sql, withSql } from "../db/client.ts";
import type { AppBindings, Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readPriceTable } from "../limits/prices.ts";
import { usageCsv } from "../limits/usage-csv.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "./access.ts";

const MAX_DAYS = 366;
/** A real calendar day: 2026-02-30 is not one. */
const daySchema = z.iso.date();
const webhookSchema = z.object({ url: z.url().startsWith("https://").max(500).nullable() });

export function isTeamAdmin(team: TeamView): boolean {
  return team.role === "owner" || team.role === "admin";
}

export const limitsRoutes = new Hono<AppBindings>()
  .get("/usage", allow("GET /api/usage"), async (c) => c.json(await usageFor(c)))
  .get("/usage.csv", allow("GET /api/usage.csv"), async (c) => {
    const usage = await usageFor(c);
    return c.body(usageCsv(usage.rows, usage.people), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="kiln-usage-${usage.from}-to-${usage.to}.csv"`,
    });
  })
  .get("/limits/estimate", allow("GET /api/limits/estimate"), async (c) => {
    // The same choice the gateway makes for a first answer, so the estimate prices the right model.
    const { config } = await readRouting(c.env);
    const modelClass = modelClassFor({
      model: c.req.query("model"),
      quality: "draft",
      classes: Object.keys(config.classes),
    });
    const model = chainFor(config, modelClass)[0]?.model ?? "unknown";
    const price = priceFor(await readPriceTable(c.env.KILN_KV), model);
    const body: EstimateBasis = {
      model,
      price,
      budget: promptBudget(model),
      maxOutputTokens: MAX_OUTPUT_TOKENS,
    };
    return c.json(body);
  })
  .put("/limits", allow("PUT /api/limits"), async (c) => {
    const overrides = await parseJsonBody(c, limitOverridesSchema);
    const team = await adminTeam(c);
    const gateway = teamGateway(c.env, team.id);
    const result = await gateway.setLimitOverrides(overrides, team.id);
    if (!result.ok) {
      throw new ApiError({
        status: 422,
        code: "limit_above_plan",
        message: `Above what the team's plan allows: ${result.aboveCeiling.join(", ")}.`,
        hint: "Choose a figure at or below the plan's ceiling (GET /api/usage shows it), or change plan.",
      });
    }
    return c.json(await gateway.limitsView());
  })
  .put("/limits/webhook", allow("PUT /api/limits/webhook"), async (c) => {
    const { url } = await parseJsonBody(c, webhookSchema);
    const team = await adminTeam(c);
    await teamGateway(c.env, team.id).setAlertWebhook(url);
    return c.json({ url });
  });

async function usageFor(c: Context<AppBindings>): Promise<UsageResponse> {
  const { fromDay, toDay } = dayRange(c.req.query("from"), c.req.query("to"));
  const auth = c.get("auth");

  const team = await resolveActiveTeam(c.env, { auth, requestedTeamId: c.req.header("x-team-id") });
  return withSql(c.env, async (sql) => {
    const userId = isTeamAdmin(team) ? undefined : auth.userId;
    const usage = await teamGateway(c.env, team.id).usage({ fromDay, toDay, userId });
    const people = await emailsOf(sql, [...new Set(usage.rows.map((row) => row.userId))]);
    return { ...usage, people };
  });
}

async function adminTeam(c: Context<AppBindings>): Promise<TeamView> {
  const team = await resolveActiveTeam(c.env, {
    auth: c.get("auth"),
    requestedTeamId: c.req.header("x-team-id"),
  });
  if (!isTeamAdmin(team)) {
    throw new ApiError({
      status: 403,
      code: "forbidden",
      message: "Only the team's owners and admins may change its limits.",
      hint: "Ask a team admin to make the change.",
    });
  }
  return team;
}

/** Defaults to the last 30 days; at most a year, so one answer stays small. */
function dayRange(from: string | undefined, to: string | undefined) {
  const today = new Date().toISOString().slice(0, 10);
  const toDay = to ?? today;
  const fromDay = from ?? new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  const span = (Date.parse(toDay) - Date.parse(fromDay)) / 86_400_000;
  if (
    !daySchema.safeParse(fromDay).success ||
    !daySchema.safeParse(toDay).success ||
    !(span >= 0)
  ) {
    throw new ApiError({
      status: 400,
      code: "invalid_body",
      message: "`from` and `to` must be days (YYYY-MM-DD), `from` not after `to`.",
      hint: "For example ?from=2026-12-01&to=2026-12-31.",
    });
  }
  if (span > MAX_DAYS) {
    throw new ApiError({
      status: 400,
      code: "invalid_body",
      message: `Ask for at most ${MAX_DAYS} days at a time.`,
      hint: "Narrow `from` and `to`, and export each range separately.",
    });
  }
  return { fromDay, toDay };
}

async function emailsOf(sql: Sql, userIds: string[]): Promise<Record<string, string>> {
  const ids = userIds.filter((id) => z.uuid().safeParse(id).success);
  if (ids.length === 0) return {};
  const rows = await sql<{ id: string; email: string }[]>`
    select id, email from public.profiles where id in ${sql(ids)}`;
  return Object.fromEntries(rows.map((row) => [row.id, row.email]));
}

function teamGateway(env: Env, teamId: string) {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
}
