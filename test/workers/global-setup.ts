/**
 * Starts what the workerd tests talk to over real sockets: Postgres (PGlite
 * on a free port with the migrations applied, or DATABASE_URL) and the
 * provider simulator, and hands their URLs to the pool through `provide`.
 */
import type { TestProject } from "vitest/node";
import { migrate, withPasswordForHyperdrive } from "../../local/migrate.ts";
import { startLocalDatabase } from "../../local/pglite-server.ts";
import { startE2bSimulator } from "../simulators/e2b/server.ts";
import { startProviderSimulator } from "../simulators/provider/server.ts";
import { startSentrySimulator } from "../simulators/sentry/server.ts";
import { startWebhookReceiver } from "../simulators/webhook/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    simulatorUrl: string;
    sentryUrl: string;
    sentryDsn: string;
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

  // Observability edges: Sentry, and one receiver for alert webhooks and OTLP spans.
  const sentry = await startSentrySimulator();
  const webhook = await startWebhookReceiver();
  project.provide("sentryUrl", sentry.url);
  project.provide("sentryDsn", sentry.dsn);
  project.provide("webhookUrl", webhook.url);

  return async () => {
    await simulator.close();
    await sentry.close();
    await webhook.close();
    await e2b.close();
    await database?.stop();
  };
}
