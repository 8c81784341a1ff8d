/**
 * Three test projects, all run by `npm test`:
 * - unit: pure logic and the simulators, in Node;
 * - workers: the Worker and the TeamGateway object inside workerd, against
 *   a real Postgres (PGlite, or DATABASE_URL) and the provider simulator;
 * - browser: the built app in Debian's Chromium, driven by playwright-core;
 * - deploy: the production bundle (`wrangler deploy --dry-run` output) in
 *   workerd through miniflare.
 */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: [
            "contract/**/*.test.ts",
            "worker/**/*.test.ts",
            "durable-objects/**/*.test.ts",
            "local/**/*.test.ts",
            "test/simulators/**/*.test.ts",
            "test/unit/**/*.test.ts",
          ],
          // A guard against hangs, not a speed check: some tests spawn git or
          // stream through real sockets, and a loaded 2-core machine is slow.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              hyperdrives: { HYPERDRIVE: inject("databaseUrl") },
              bindings: {
                ENVIRONMENT: "test",
                KILN_SIMULATOR_URL: inject("simulatorUrl"),
                // Both key sources at once: the JWKS of the Supabase Auth
                // simulator and the local HS256 secret of development sign-in.
                SUPABASE_URL: inject("supabaseUrl"),
                E2B_API_KEY: "e2b_simulated",
                E2B_API_URL: inject("e2bSimulatorUrl"),
                E2B_SANDBOX_URL: inject("e2bSimulatorUrl"),
                // Routing edits in KV apply to the next request; a short
                // reconnect grace keeps the S7 test quick; keep-alives show up.
                KILN_ROUTING_CACHE_MS: "0",
                KILN_STREAM_GRACE_MS: "400",
                KILN_SSE_KEEPALIVE_MS: "250",
                UPSTASH_REDIS_REST_URL: inject("upstashUrl"),
                UPSTASH_REDIS_REST_TOKEN: inject("upstashToken"),
                KILN_RATE_LIMIT_PREFIX: inject("rateLimitPrefix"),
                SENTRY_DSN: inject("sentryDsn"),
                ALERT_WEBHOOK_URL: `${inject("webhookUrl")}/alerts`,
                OTEL_EXPORTER_OTLP_ENDPOINT: `${inject("webhookUrl")}/otlp`,
                KILN_SWITCHES_CACHE_MS: "0",
                KILN_PRICES_CACHE_MS: "0",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          // Also the tests that start the whole local stack or `npm run dev`;
          // one file at a time, since `npm run dev` rebuilds the SPA they serve.
          include: ["test/browser/**/*.test.ts", "test/local/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "deploy",
          environment: "node",
          include: ["test/deploy/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
