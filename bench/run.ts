/**
 * `npm run bench`: builds the SPA, starts the local stack (workerd through
 * wrangler, the provider simulator in this process, PGlite in a process of
 * its own), starts the load generator in another, and measures the figures
 * of issue 9 one after another. It writes bench/results/latest.json and
 * latest.md, and never fails on time: a figure that misses its target is
 * reported as such. `--help` lists the options. Whatever ends the run
 * (the last figure, an error, Ctrl-C), the processes it started are stopped.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../local/stack.ts";
import { BASE as ADMISSION, measureAdmission } from "./measures/admission.ts";
import { BASE as CACHE, measureCache } from "./measures/cache.ts";
import { measureGrowth, BASE as PROMPT_GROWTH } from "./measures/growth.ts";
import { BASE as MEMORY, measureMemory } from "./measures/memory.ts";
import { measureOverhead, measurePostgresStopped, OVERHEAD, STOPPED } from "./measures/overhead.ts";
import { measureSpa, BASE as SPA } from "./measures/spa.ts";
import { measureTeamObject, STREAM_LEVELS, BASE as TEAM_OBJECT } from "./measures/team-object.ts";
import {
  bootStack,
  isHealthy,
  pointAtStack,
  startBench,
  waitForQuietDatabase,
} from "./support/boot.ts";
import { interrupted, stopAll, stopEverythingOnSignals } from "./support/cleanup.ts";
import { type BenchContext, type Figure, failed } from "./support/figure.ts";
import { writeResults } from "./support/report.ts";

type Base = Pick<Figure, "id" | "title" | "target" | "method">;
type Entry = {
  base: Base;
  number: number;
  measure: (context: BenchContext) => Promise<Figure>;
};

/**
 * In the order they run, numbered as issue 9 numbers them. Each starts once
 * the turns of the ones before have been saved (waitForQuietDatabase). The
 * SPA signs new people in, which writes Postgres: it runs first. Postgres
 * stopped runs last, since a paused database may leave connections the
 * stack has to time out.
 */
function figureTable(streams: number[] | undefined): Entry[] {
  return [
    { base: SPA, number: 8, measure: measureSpa },
    { base: OVERHEAD, number: 1, measure: measureOverhead },
    { base: ADMISSION, number: 5, measure: measureAdmission },
    { base: CACHE, number: 6, measure: measureCache },
    { base: PROMPT_GROWTH, number: 7, measure: measureGrowth },
    { base: TEAM_OBJECT, number: 3, measure: (context) => measureTeamObject(context, streams) },
    { base: MEMORY, number: 4, measure: measureMemory },
    { base: STOPPED, number: 2, measure: measurePostgresStopped },
  ];
}

const USAGE = `Usage: npm run bench [-- options]

Measures the figures of issue 9 against the local stack and writes
bench/results/<out>.json and <out>.md. How to read them: bench/README.md.

Options:
  --only <ids>        some figures, comma-separated: ${figureTable(undefined)
    .map((entry) => entry.base.id)
    .join(", ")}
  --streams <counts>  stream counts of team-object-load (default ${STREAM_LEVELS.join(",")})
  --skip-build        reuse dist/ from the last build instead of running npm run build
  --out <name>        results as bench/results/<name>.* (default latest, or partial
                      when --only or --streams picks part of the run)
  -h, --help          this text`;

function usageError(message: string): never {
  process.stderr.write(`npm run bench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function readFlags() {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags();
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  const given = parsed.tokens.filter((token) => token.kind === "option").map((token) => token.name);
  const repeated = given.find((name, index) => given.indexOf(name) !== index);
  if (repeated) usageError(`--${repeated} is given twice; give it once (ids are comma-separated).`);
  const flags = parsed.values;
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }

  const known = figureTable(undefined).map((entry) => entry.base.id);
  const only = flags.only
    ?.split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  const unknown = only?.filter((id) => !known.includes(id)) ?? [];
  if (only?.length === 0) usageError("--only needs at least one figure id.");
  if (unknown.length > 0) usageError(`unknown figure id(s): ${unknown.join(", ")}.`);

  const counts = flags.streams?.split(",").map((count) => count.trim());
  if (counts?.some((count) => !/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 2_000)) {
    usageError(`--streams takes whole numbers from 1 to 2000, not "${flags.streams}".`);
  }
  const streams = counts && [...new Set(counts.map(Number))].sort((a, b) => a - b);
  if (streams && only && !only.includes("team-object-load")) {
    usageError("--streams is for team-object-load: add it to --only, or leave --streams out.");
  }
  // A part of the run does not replace the full results unless asked to.
  const out = flags.out ?? (only || streams ? "partial" : "latest");
  if (!/^[\w.-]+$/.test(out) || out.startsWith(".")) {
    usageError(`--out takes a plain name (letters, digits, "-", "_", "."), not "${out}".`);
  }
  const state = process.env.KILN_BENCH_STATE;
  if (state !== undefined && !(existsSync(state) && statSync(state).isDirectory())) {
    usageError(`KILN_BENCH_STATE is "${state}", which is not a folder: create it or unset it.`);
  }
  if (flags["skip-build"] && !existsSync(join(projectRoot, "dist", "client", "index.html"))) {
    usageError("--skip-build needs a built SPA in dist/client: run once without --skip-build.");
  }
  return { ...flags, only, streams, out };
}

function parseFlags() {
  return parseArgs({
    options: {
      only: { type: "string" },
      "skip-build": { type: "boolean", default: false },
      out: { type: "string" },
      streams: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    tokens: true,
  });
}

const flags = readFlags();

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const startedAt = Date.now();
const loadAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
const log = (line: string) => {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[bench ${seconds}s] ${line}\n`);
};
await stopEverythingOnSignals(log);

if (!flags["skip-build"]) {
  log("building the SPA (npm run build)");
  const build = spawnSync("npm", ["run", "build", "--silent"], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  if (build.status !== 0) {
    process.stderr.write("npm run bench: npm run build failed (its output is above).\n");
    process.exit(1);
  }
}

const figures: Figure[] = [];
try {
  log("starting the database, the stack and the load process");
  const started = await startBench(log);
  const { database, simulator, context } = started;
  let { booted } = started;

  const wanted = figureTable(flags.streams).filter(
    (entry) => !flags.only || flags.only.includes(entry.base.id),
  );
  for (const { base, number, measure } of wanted) {
    if (interrupted()) break;
    log(`measuring ${base.id}`);
    let restarted = false;
    try {
      // A figure that overloads the stack must not take the next ones with it.
      if (!(await isHealthy(booted))) {
        log("the stack stopped answering: restarting it");
        restarted = true;
        await booted.stop().catch(() => {});
        booted = await bootStack({ database, simulator, log });
        pointAtStack(context, booted);
      }
      const waitedMs = await waitForQuietDatabase(booted, database.url);
      if (waitedMs >= 2_000)
        log(`waited ${Math.round(waitedMs / 1000)} s for the database to drain`);
      figures.push({ ...(await measure(context)), number, databaseWaitMs: waitedMs });
    } catch (error) {
      if (interrupted()) break;
      log(`${base.id} failed: ${error instanceof Error ? error.stack : String(error)}`);
      figures.push({ ...failed(base, error), number });
    }
    if (restarted) (figures.at(-1) as Figure).stackRestarted = true;
    log(`${base.id}: ${figures.at(-1)?.headline}`);
  }
} catch (error) {
  if (!interrupted())
    log(`the run stopped: ${error instanceof Error ? error.stack : String(error)}`);
  await stopAll(log);
  process.exit(interrupted() ? 130 : 1);
}
await stopAll(log);
// Interrupted: the signal handler exits once the stops are done; a cut run writes nothing.
if (interrupted()) await new Promise(() => {});

const paths = await writeResults({
  name: flags.out,
  figures,
  startedAt,
  finishedAt: Date.now(),
  loadAtStart,
});
log(`wrote ${paths.json} and ${paths.markdown}`);
// Never on time; but a figure that could not be measured at all is a broken benchmark.
const broken = figures.filter((figure) => figure.status === "failed").map((figure) => figure.id);
if (broken.length > 0) log(`could not measure: ${broken.join(", ")} (see above)`);
process.exit(broken.length > 0 ? 1 : 0);
