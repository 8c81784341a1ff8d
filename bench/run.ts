/**
 * `npm run bench`: builds the SPA, starts the local stack (workerd through
 * wrangler, the provider simulator in this process, PGlite in a process of
 * its own), starts the load generator in another, and measures the figures
 * of issue 9 one after another. It writes bench/results/latest.json and
 * latest.md, and never fails on time: a figure that misses its target is
 * reported as such. `--only a,b` runs some figures; `--skip-build` reuses dist/.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot, startStack } from "../local/stack.ts";
import { freePort } from "../test/support/ports.ts";
import { measureAdmission } from "./measures/admission.ts";
import { measureCache } from "./measures/cache.ts";
import { measureGrowth } from "./measures/growth.ts";
import { measureMemory } from "./measures/memory.ts";
import { measureOverhead, measurePostgresStopped, type OverheadRun } from "./measures/overhead.ts";
import { measureSpa } from "./measures/spa.ts";
import { measureTeamObject } from "./measures/team-object.ts";
import { startDatabaseProcess, startLoadProcess } from "./support/children.ts";
import { type BenchContext, type Figure, failed } from "./support/figure.ts";
import { writeResults } from "./support/report.ts";

const { values: flags } = parseArgs({
  options: {
    only: { type: "string" },
    "skip-build": { type: "boolean", default: false },
    out: { type: "string", default: "latest" },
  },
});
const only = flags.only?.split(",").map((id) => id.trim());
const wanted = (id: string) => !only || only.includes(id);

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const startedAt = Date.now();
const loadAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
const log = (line: string) => {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[bench ${seconds}s] ${line}\n`);
};

if (!flags["skip-build"]) {
  log("building the SPA (npm run build)");
  const build = spawnSync("npm", ["run", "build", "--silent"], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("npm run build failed");
}

log("starting the database, the stack and the load process");
const stateDir = await mkdtemp(join(tmpdir(), "kiln-bench-"));
const database = await startDatabaseProcess();
const stack = await startStack({
  port: await freePort(),
  stateDir,
  databaseUrl: database.url,
  // The SPA's counter streams at this pace; every other figure sets its own in the prompt.
  simulatorDelays: { firstTokenDelayMs: 20, chunkDelayMs: 2 },
  log: (line) => {
    if (!line.includes("chat.settled")) log(`stack: ${line}`);
  },
});
const load = await startLoadProcess();

const figures: Figure[] = [];
try {
  const signIn = await fetch(`${stack.url}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com" }),
  });
  if (!signIn.ok) throw new Error(`dev sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const session = (await signIn.json()) as { access_token: string; team_id: string };

  const context: BenchContext = {
    stack,
    address: { kilnUrl: stack.url, simulatorUrl: stack.simulator.url, token: session.access_token },
    teamId: session.team_id,
    load,
    database,
    log,
  };

  const run = async (id: string, title: string, measure: () => Promise<Figure>) => {
    if (!wanted(id)) return;
    log(`measuring ${id}`);
    try {
      figures.push(await measure());
    } catch (error) {
      log(`${id} failed: ${error instanceof Error ? error.stack : String(error)}`);
      figures.push(failed({ id, title, target: "", method: "" }, error));
    }
    log(`${id}: ${figures.at(-1)?.headline}`);
  };

  let overheadRuns: OverheadRun[] = [];
  await run("gateway-overhead", "Gateway overhead", async () => {
    const { figure, runs } = await measureOverhead(context);
    overheadRuns = runs;
    return figure;
  });
  await run("team-object-load", "One team's object under load", () => measureTeamObject(context));
  await run("memory-20mb", "Memory while streaming a 20 MB answer", () => measureMemory(context));
  await run("admission", "Admission", () => measureAdmission(context));
  await run("cache-hit", "Cached answer", () => measureCache(context));
  await run("prompt-growth", "Prompt growth", () => measureGrowth(context));
  await run("spa", "The SPA", () => measureSpa(context));
  // Last: a paused database may leave connections the stack has to time out.
  await run("postgres-stopped", "Hot path with Postgres stopped", () =>
    measurePostgresStopped(context, overheadRuns),
  );
} finally {
  await load.stop();
  await stack.stop();
  await database.stop();
  await rm(stateDir, { recursive: true, force: true });
}

const paths = await writeResults({
  name: flags.out,
  figures,
  startedAt,
  finishedAt: Date.now(),
  loadAtStart,
});
log(`wrote ${paths.json} and ${paths.markdown}`);
process.exit(0);
