/**
 * Case X2: the production bundle, as `wrangler deploy` builds it, loaded in
 * workerd. A sandbox SDK release that throws at import time, or that needs
 * a Node API workerd lacks, fails here: the health route must answer, and
 * so must `POST /api/sandbox`, which runs the SDK against the E2B simulator.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxStreamEvent } from "../../contract/sandbox.ts";
import { withPasswordForHyperdrive } from "../../local/migrate.ts";
import { type LocalDatabase, startLocalDatabase } from "../../local/pglite-server.ts";
import { projectRoot } from "../../local/stack.ts";
import { type E2bSimulator, startE2bSimulator } from "../simulators/e2b/server.ts";

const run = promisify(execFile);
const ORIGIN = "https://kiln.test";
const ROUTE_TIMEOUT_MS = 30_000;

let outdir: string;
let database: LocalDatabase;
let e2b: E2bSimulator;
let worker: Miniflare;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "kiln-bundle-"));
  const wrangler = join(projectRoot, "node_modules/wrangler/bin/wrangler.js");
  await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: projectRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  database = await startLocalDatabase();
  e2b = await startE2bSimulator();

  // Listed by hand: the SDK keeps a dynamic `import()` (of undici, for Node)
  // that Miniflare's module walker refuses to follow; wrangler ships it as is.
  worker = new Miniflare({
    modules: [
      { type: "ESModule", path: "index.js", contents: await readFile(join(outdir, "index.js")) },
    ],
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: { TEAM_GATEWAY: { className: "TeamGateway", useSQLite: true } },
    kvNamespaces: ["KILN_KV"],
    hyperdrives: { HYPERDRIVE: withPasswordForHyperdrive(database.url) },
    bindings: {
      ENVIRONMENT: "test",
      KILN_VERSION: "bundle-test",
      E2B_API_KEY: "e2b_simulated",
      E2B_API_URL: e2b.url,
      E2B_SANDBOX_URL: e2b.url,
    },
  });
}, 180_000);

afterAll(async () => {
  await worker?.dispose();
  await e2b?.close();
  await database?.stop();
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

describe("the production bundle in workerd (case X2)", () => {
  it(
    "answers the health route, naming the sandbox mode",
    async () => {
      const response = await worker.dispatchFetch(`${ORIGIN}/api/health`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        version: string;
        dependencies: { sandbox: unknown };
      };
      expect(body.version).toBe("bundle-test");
      expect(body.dependencies.sandbox).toMatchObject({ mode: "e2b" });
    },
    ROUTE_TIMEOUT_MS,
  );

  it(
    "runs Python through the sandbox route with the bundled E2B SDK",
    async () => {
      const signIn = await worker.dispatchFetch(`${ORIGIN}/api/dev/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "bundle@example.com" }),
      });
      const { access_token } = (await signIn.json()) as { access_token: string };

      const response = await worker.dispatchFetch(`${ORIGIN}/api/sandbox`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
        body: JSON.stringify({
          template: "python",
          files: [{ path: "main.py", content: 'print("from the bundle")' }],
        }),
      });
      expect(response.status).toBe(200);
      const events = (await response.text())
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => JSON.parse(line.slice(6)) as SandboxStreamEvent);
      const finished = events.find((event) => event.type === "finished");
      expect(finished?.type === "finished" && finished.sandbox.execution?.stdout).toEqual([
        "from the bundle\n",
      ]);
    },
    ROUTE_TIMEOUT_MS,
  );
});
