/**
 * Starts what the workerd tests talk to over real sockets: Postgres (PGlite
 * on a free port with the migrations applied, or DATABASE_URL), the provider
 * simulator, the Supabase Auth simulator (JWKS), a webhook recorder, and,
 * when REDIS_URL is set, the Upstash-REST front over that Redis (so the edge
 * rate limit runs its Upstash path). A front that never answers in time is
 * always started, for the slow-Redis tests. Their URLs reach the pool
 * through `provide`.
 */
import type { TestProject } from "vitest/node";
import { migrate, withPasswordForHyperdrive } from "../../local/migrate.ts";
import { startLocalDatabase } from "../../local/pglite-server.ts";
import { startE2bSimulator } from "../simulators/e2b/server.ts";
import { startProviderSimulator } from "../simulators/provider/server.ts";
import { startSentrySimulator } from "../simulators/sentry/server.ts";
import { startSupabaseAuthSimulator } from "../simulators/supabase-auth/server.ts";
import { startUpstashFront } from "../simulators/upstash/server.ts";
import { startWebhookRecorder } from "../simulators/webhook/recorder.ts";
import { startWebhookReceiver } from "../simulators/webhook/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    simulatorUrl: string;
    sentryUrl: string;
    sentryDsn: string;
    webhookUrl: string;
    supabaseUrl: string;
    /** "" when REDIS_URL is not set. */
    upstashUrl: string;
    upstashToken: string;
    slowUpstashUrl: string;
    rateLimitPrefix: string;
    /** Records budget-alert posts (limits tests); `webhookUrl` receives alerts and spans. */
    budgetWebhookUrl: string;
    e2bSimulatorUrl: string;
  }
}

/**
 * Miniflare's local Hyperdrive proxy pipes workerd's socket to Postgres with
 * no 'error' listener on either end (miniflare 4.20260426.0,
 * plugins/hyperdrive/hyperdrive-proxy.ts). When a test file's runtime is torn
 * down while a connection is open (a queue consumer still saving a batch),
 * the reset surfaces as an unhandled ECONNRESET that kills the whole run.
 * Only that error is ignored here; anything else still ends the process.
 */
function ignoreProxyConnectionResets() {
  process.on("uncaughtException", (error: NodeJS.ErrnoException) => {
    if (error.code === "ECONNRESET" && error.syscall === "read") return;
    throw error;
  });
}

export default async function setup(project: TestProject) {
  ignoreProxyConnectionResets();
  const external = process.env.DATABASE_URL;
  const database = external ? undefined : await startLocalDatabase();
  if (external) await migrate(external);

  const simulator = await startProviderSimulator({
    port: 0,
    firstTokenDelayMs: 0,
    chunkDelayMs: 0,
  });
  const supabase = await startSupabaseAuthSimulator();

  project.provide("databaseUrl", withPasswordForHyperdrive(external ?? database?.url ?? ""));
  project.provide("simulatorUrl", simulator.url);
  project.provide("supabaseUrl", supabase.url);
  const e2b = await startE2bSimulator();
  project.provide("e2bSimulatorUrl", e2b.url);

  const upstashToken = "kiln-test-token";
  const upstash = process.env.REDIS_URL
    ? await startUpstashFront({ redisUrl: process.env.REDIS_URL, token: upstashToken })
    : undefined;
  const slowUpstash = await startUpstashFront({ token: upstashToken, delayMs: 10_000 });
  project.provide("upstashUrl", upstash?.url ?? "");
  project.provide("upstashToken", upstashToken);
  project.provide("slowUpstashUrl", slowUpstash.url);
  // Redis keeps counters between runs: a fresh prefix per run starts every window empty.
  project.provide("rateLimitPrefix", `kiln-test:${Date.now()}`);

  const budgetWebhook = await startWebhookRecorder();
  project.provide("budgetWebhookUrl", budgetWebhook.url);

  // Observability edges: Sentry, and one receiver for alert webhooks and OTLP spans.
  const sentry = await startSentrySimulator();
  const webhook = await startWebhookReceiver();
  project.provide("sentryUrl", sentry.url);
  project.provide("sentryDsn", sentry.dsn);
  project.provide("webhookUrl", webhook.url);

  return async () => {
    await supabase.close();
    await budgetWebhook.close();
    await upstash?.close();
    await slowUpstash.close();
    await simulator.close();
    await sentry.close();
    await webhook.close();
    await e2b.close();
    await database?.stop();
  };
}
