/**
 * Starts what the workerd tests talk to over real sockets: Postgres (PGlite
 * on a free port with the migrations applied, or DATABASE_URL), the
 * provider simulator, and, when REDIS_URL is set, the Upstash-REST front over
 * that Redis (so the edge rate limit runs its Upstash path). A front that
 * never answers in time is always started, for the slow-Redis tests. Their
 * URLs reach the pool through `provide`.
 */
import type { TestProject } from "vitest/node";
import { migrate, withPasswordForHyperdrive } from "../../local/migrate.ts";
import { startLocalDatabase } from "../../local/pglite-server.ts";
import { startE2bSimulator } from "../simulators/e2b/server.ts";
import { startProviderSimulator } from "../simulators/provider/server.ts";
import { startUpstashFront } from "../simulators/upstash/server.ts";
import { startWebhookRecorder } from "../simulators/webhook/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    simulatorUrl: string;
    /** "" when REDIS_URL is not set. */
    upstashUrl: string;
    upstashToken: string;
    slowUpstashUrl: string;
    rateLimitPrefix: string;
    webhookUrl: string;
    e2bSimulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL;
  const database = external ? undefined : await startLocalDatabase();
  if (external) await migrate(external);

  const simulator = await startProviderSimulator({
    port: 0,
    firstTokenDelayMs: 0,
    chunkDelayMs: 0,
  });

  project.provide("databaseUrl", withPasswordForHyperdrive(external ?? database?.url ?? ""));
  project.provide("simulatorUrl", simulator.url);
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

  const webhook = await startWebhookRecorder();
  project.provide("webhookUrl", webhook.url);

  return async () => {
    await webhook.close();
    await upstash?.close();
    await slowUpstash.close();
    await simulator.close();
    await e2b.close();
    await database?.stop();
  };
}
