/**
 * Writes one run's figures as JSON (everything) and a short markdown table
 * (headline per figure), with the machine, versions and date beside them:
 * a figure means little without the machine it came from.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../local/stack.ts";
import type { Figure } from "./figure.ts";

const RESULTS_DIR = join(projectRoot, "bench", "results");

function packageVersion(name: string): string {
  try {
    const path = join(projectRoot, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function commandOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: projectRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

export function describeMachine() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeVersions() {
  return {
    node: process.version,
    workerd: packageVersion("workerd"),
    wrangler: packageVersion("wrangler"),
    miniflare: packageVersion("miniflare"),
    pglite: packageVersion("@electric-sql/pglite"),
    chromium: commandOutput(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", ["--version"]),
    commit: commandOutput("git", ["rev-parse", "--short", "HEAD"]),
  };
}

export async function writeResults(options: {
  name: string;
  figures: Figure[];
  startedAt: number;
  finishedAt: number;
  loadAtStart: number;
}) {
  const machine = { ...describeMachine(), loadAverage1mAtStart: options.loadAtStart };
  const versions = describeVersions();
  const date = new Date(options.startedAt).toISOString();
  const durationS = Math.round((options.finishedAt - options.startedAt) / 1000);
  const json = join(RESULTS_DIR, `${options.name}.json`);
  const markdown = join(RESULTS_DIR, `${options.name}.md`);

  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(
    json,
    `${JSON.stringify({ date, durationS, machine, versions, figures: options.figures }, null, 2)}\n`,
  );

  const verdict = (figure: Figure) =>
    figure.meetsTarget === null ? "—" : figure.meetsTarget ? "meets" : "misses";
  const inIssueOrder = [...options.figures].sort(
    (a, b) => (a.number ?? Number.POSITIVE_INFINITY) - (b.number ?? Number.POSITIVE_INFINITY),
  );
  const rows = inIssueOrder.map((figure) => {
    const restarted = figure.stackRestarted
      ? " (on a restarted stack: the figure before it left the stack not answering)"
      : "";
    return `| ${figure.number ?? ""} | ${figure.title} | ${figure.target} | ${figure.headline}${restarted} | ${verdict(figure)} |`;
  });
  const restarts = options.figures.filter((figure) => figure.stackRestarted).map((f) => f.id);
  const waits = options.figures
    .filter((figure) => (figure.databaseWaitMs ?? 0) >= 1_000)
    .map(
      (figure) => `${Math.round((figure.databaseWaitMs ?? 0) / 1000)} s before ${figure.number}`,
    );
  const text = [
    `# Kiln benchmark, ${date}`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Linux ${machine.kernel}; ` +
      `1-minute load average ${machine.loadAverage1mAtStart} at start, ${machine.loadAverage1m} at end ` +
      "(the cores are shared, so figures carry that noise).",
    `Versions: Node ${versions.node}, workerd ${versions.workerd}, wrangler ${versions.wrangler}, ` +
      `miniflare ${versions.miniflare}, PGlite ${versions.pglite}, ${versions.chromium}; commit ${versions.commit}.`,
    `Run took ${durationS} s. Full figures: \`${options.name}.json\`; how to read them: \`bench/README.md\`.`,
    `Figures are numbered as in issue 9; they ran in the order ${options.figures.map((figure) => figure.number ?? figure.id).join(", ")}. ` +
      (restarts.length === 0
        ? "The stack answered throughout: no restarts."
        : `The stack was restarted before ${restarts.join(", ")}.`) +
      (waits.length === 0
        ? ""
        : ` Waited for the database to drain earlier figures' saved turns: ${waits.join(", ")}.`),
    "",
    "| # | figure | target | measured | verdict |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  await writeFile(markdown, text);
  return { json, markdown };
}
