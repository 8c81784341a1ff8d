/** Routes anyone may call: health and the facts the SPA needs before sign-in. */
import { Hono } from "hono";
import type { ClientConfig, HealthResponse } from "../../contract/api.ts";
import { e2bConnection } from "../../durable-objects/sandboxes/settings.ts";
import { isDevelopment, providerSettings } from "../config.ts";
import { withSql } from "../db/client.ts";
import type { AppBindings, Env } from "../env.ts";
import { browserSentry } from "../observability/sentry.ts";

const DATABASE_CHECK_TIMEOUT_MS = 2_000;

export const publicRoutes = new Hono<AppBindings>()
  .get("/health", async (c) => {
    const provider = providerSettings(c.env);
    const database = await checkDatabase(c.env);
    const body: HealthResponse = {
      status: database.status === "ok" ? "ok" : "degraded",
      version: c.env.KILN_VERSION,
      environment: c.env.ENVIRONMENT,
      dependencies: {
        database,
        provider: {
          status: provider.apiKey ? "ok" : "down",
          name: provider.name,
          simulated: provider.simulated,
          ...(provider.apiKey ? {} : { detail: "no API key configured" }),
        },
        sandbox: sandboxHealth(c.env),
      },
    };
    return c.json(body, database.status === "ok" ? 200 : 503);
  })
  .get("/config", (c) => {
    const provider = providerSettings(c.env);
    const body: ClientConfig = {
      environment: c.env.ENVIRONMENT,
      version: c.env.KILN_VERSION,
      devSignIn: isDevelopment(c.env),
      ...(c.env.SUPABASE_URL && c.env.SUPABASE_ANON_KEY
        ? { supabase: { url: c.env.SUPABASE_URL, anonKey: c.env.SUPABASE_ANON_KEY } }
        : {}),
      provider: { name: provider.name, model: provider.model, simulated: provider.simulated },
      sandbox: e2bConnection(c.env)
        ? { mode: "e2b", simulated: e2bConnection(c.env)?.simulated ?? false }
        : { mode: "browser" },
      ...browserSentry(c.env),
    };
    return c.json(body);
  });

function sandboxHealth(env: Env): HealthResponse["dependencies"]["sandbox"] {
  const connection = e2bConnection(env);
  if (!connection) {
    return { status: "ok", mode: "browser", detail: "in-browser preview for web templates" };
  }
  return { status: "ok", mode: "e2b", detail: connection.simulated ? "E2B simulator" : "E2B" };
}

async function checkDatabase(env: Env): Promise<HealthResponse["dependencies"]["database"]> {
  const startedAt = Date.now();
  try {
    await withTimeout(
      withSql(env, (sql) => sql`select 1`),
      DATABASE_CHECK_TIMEOUT_MS,
    );
    return { status: "ok", latencyMs: Date.now() - startedAt };
  } catch (error) {
    return { status: "down", detail: error instanceof Error ? error.message : "unreachable" };
  }
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
