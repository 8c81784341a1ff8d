/**
 * `npm run bench`: builds the SPA, starts the local stack (workerd through
 * wrangler, the provider simulator in this process, PGlite in a process of
 * its own), starts the load generator in another, and measures the figures
 * of issue 9 one after another. It writes bench/results/latest.json and
 * latest.md, and never fails on time: a figure that misses its target is
 * reported as such. `--only a,b` runs some figures; `--skip-build` reuses dist/;
 * `--streams 50,100` picks the stream counts of the team-object figure.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { projectRoot } from "../local/stack.ts";
import { measureAdmission } from "./measures/admission.ts";
import { measureCache } from "./measures/cache.ts";
import { measureGrowth } from "./measures/growth.ts";
import { measureMemory } from "./measures/memory.ts";
import { measureOverhead, measurePostgresStopped, type OverheadRun } from "./measures/overhead.ts";
import { measureSpa } from "./measures/spa.ts";
import { measureTeamObject } from "./measures/team-object.ts";
import { bootStack, isHealthy, pointAtStack } from "./support/boot.ts";
import { startDatabaseProcess, startLoadProcess } from "./support/children.ts";
import { type BenchContext, type Figure, failed } from "./support/figure.ts";
import { writeResults } from "./support/report.ts";

const { values: flags } = parseArgs({
  options: {
    only: { type: "string" },
    "skip-build": { type: "boolean", default: false },
    out: { type: "string", default: "latest" },
    streams: { type: "string" },
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
const database = await startDatabaseProcess();
let booted = await bootStack({ database, log });
const load = await startLoadProcess();

const figures: Figure[] = [];
try {
  const context = { load, database, log } as BenchContext;
  pointAtStack(context, booted);

  const run = async (id: string, title: string, measure: () => Promise<Figure>) => {
    if (!wanted(id)) return;
    log(`measuring ${id}`);
    try {
      // A figure that overloads the stack must not take the next ones with it.
      if (!(await isHealthy(booted))) {
        log("the stack stopped answering: restarting it");
        await booted.stop().catch(() => {});
        booted = await bootStack({ database, log });
        pointAtStack(context, booted);
      }
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
  // Before the team-object figure: its thousands of saved turns keep the database busy a while.
  await run("admission", "Admission", () => measureAdmission(context));
  await run("cache-hit", "Cached answer", () => measureCache(context));
  await run("prompt-growth", "Prompt growth", () => measureGrowth(context));
  await run("team-object-load", "One team's object under load", () =>
    measureTeamObject(context, flags.streams?.split(",").map(Number)),
  );
  await run("memory-20mb", "Memory while streaming a 20 MB answer", () => measureMemory(context));
  await run("spa", "The SPA", () => measureSpa(context));
  // Last: a paused database may leave connections the stack has to time out.
  await run("postgres-stopped", "Hot path with Postgres stopped", () =>
    measurePostgresStopped(context, overheadRuns),
  );
} finally {
  await load.stop();
  await booted.stop();
  await database.stop();
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
