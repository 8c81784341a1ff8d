/**
 * `/api/sandbox`: run a conversation's files in an E2B sandbox through the
 * team's TeamGateway, which owns every sandbox's lifetime.
 *
 * - `POST /sandbox`: create and run; answers an SSE stream of steps, logs and
 *   the outcome (contract/sandbox.ts). With E2B unconfigured, switched off,
 *   down or over its limit the stream says so in an `unavailable` event:
 *   the request still succeeds and the SPA falls back.
 * - `GET /sandbox/:id`, `GET /sandbox/:id/logs`: state (an expired sandbox
 *   answers "expired", never a dead URL) and logs so far.
 * - `GET /sandbox/:id/logs/stream`: the running app's output after "ready"
 *   as SSE (saved lines first, then new ones) until the sandbox ends.
 * - `POST /sandbox/:id/keep-alive`, `/stop`, `/recreate`.
 * - `GET|PUT /sandbox/settings`: the operator's live settings in KV,
 *   including the kill switch (platform operators only).
 */
import { Hono } from "hono";
import {
  type SandboxSettingsOverride,
  sandboxCreateRequestSchema,
  sandboxSettingsSchema,
} from "../../contract/sandbox.ts";
import {
  notFound,
  type Result,
  type SandboxRefusal,
} from "../../durable-objects/sandboxes/refusals.ts";
import { SANDBOX_SETTINGS_KEY } from "../../durable-objects/sandboxes/settings.ts";
import { resolveActiveTeam } from "../db/active-team.ts";
import type { AppBindings, Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { formatTraceparent } from "../observability/trace.ts";
import { allow } from "./access.ts";

const SANDBOX_ID = /^[0-9a-f-]{36}$/;

export const sandboxRoutes = new Hono<AppBindings>()
  .get("/sandbox/settings", allow("GET /api/sandbox/settings"), async (c) => {
    const stored = await c.env.KILN_KV.get(SANDBOX_SETTINGS_KEY, "json");
    return c.json({ settings: (stored ?? {}) as SandboxSettingsOverride });
  })
  .put("/sandbox/settings", allow("PUT /api/sandbox/settings"), async (c) => {
    const settings = await parseJsonBody(c, sandboxSettingsSchema);
    await c.env.KILN_KV.put(SANDBOX_SETTINGS_KEY, JSON.stringify(settings));
    return c.json({ settings });
  })
  .post("/sandbox", allow("POST /api/sandbox"), async (c) => {
    const request = await parseJsonBody(c, sandboxCreateRequestSchema);
    const teamId = await activeTeamId(c.env, c.get("auth"), c.req.header("x-team-id"));
    const userId = c.get("auth").userId;
    const traceparent = formatTraceparent(c.get("trace"));
    const opened = await gateway(c.env, teamId).openSandbox({
      teamId,
      userId,
      request,
      traceparent,
    });
    return eventStream(unwrap(opened), c.get("requestId"));
  })
  .get("/sandbox/:id", allow("GET /api/sandbox/:id"), async (c) => {
    const { teamId, sandboxId } = await target(c);
    return c.json(unwrap(await gateway(c.env, teamId).sandboxStatus(sandboxId)));
  })
  .get("/sandbox/:id/logs", allow("GET /api/sandbox/:id/logs"), async (c) => {
    const { teamId, sandboxId } = await target(c);
    return c.json(unwrap(await gateway(c.env, teamId).sandboxLogs(sandboxId)));
  })
  .get("/sandbox/:id/logs/stream", allow("GET /api/sandbox/:id/logs/stream"), async (c) => {
    const { teamId, sandboxId } = await target(c);
    const stream = unwrap(await gateway(c.env, teamId).followSandboxRuntime(sandboxId));
    return eventStream(stream, c.get("requestId"));
  })
  .post("/sandbox/:id/keep-alive", allow("POST /api/sandbox/:id/keep-alive"), async (c) => {
    const { teamId, sandboxId } = await target(c);
    return c.json({ sandbox: unwrap(await gateway(c.env, teamId).keepSandboxAlive(sandboxId)) });
  })
  .post("/sandbox/:id/stop", allow("POST /api/sandbox/:id/stop"), async (c) => {
    const { teamId, sandboxId } = await target(c);
    return c.json({ sandbox: unwrap(await gateway(c.env, teamId).stopSandbox(sandboxId)) });
  })
  .post("/sandbox/:id/recreate", allow("POST /api/sandbox/:id/recreate"), async (c) => {
    const { teamId, sandboxId } = await target(c);
    const userId = c.get("auth").userId;
    const traceparent = formatTraceparent(c.get("trace"));
    const opened = await gateway(c.env, teamId).recreateSandbox({
      teamId,
      userId,
      sandboxId,
      traceparent,
    });
    return eventStream(unwrap(opened), c.get("requestId"));
  });

function gateway(env: Env, teamId: string) {
  return env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(teamId));
}

async function activeTeamId(
  env: Env,
  auth: AppBindings["Variables"]["auth"],
  requestedTeamId: string | undefined,
): Promise<string> {
  const team = await resolveActiveTeam(env, { auth, requestedTeamId });
  return team.id;
}

async function target(c: {
  env: Env;
  req: { param(name: "id"): string; header(name: string): string | undefined };
  get(key: "auth"): AppBindings["Variables"]["auth"];
}) {
  const sandboxId = c.req.param("id");
  if (!SANDBOX_ID.test(sandboxId)) throw refusalError(notFound());
  const teamId = await activeTeamId(c.env, c.get("auth"), c.req.header("x-team-id"));
  return { teamId, sandboxId };
}

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw refusalError(result.refusal);
  return result.value;
}

function refusalError(refusal: SandboxRefusal): ApiError {
  return new ApiError(refusal);
}

function eventStream(stream: ReadableStream<Uint8Array>, requestId: string): Response {
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-request-id": requestId,
    },
  });
}
