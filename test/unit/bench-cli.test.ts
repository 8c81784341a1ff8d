/**
 * `npm run bench`'s command line: a mistake is refused with the usage and
 * exit 2 before anything starts (no stack, no database, no results
 * overwritten), and `--help` lists the figure ids.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const latest = `${root}bench/results/latest.md`;

function bench(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("npm run bench, command line", () => {
  it("refuses a KILN_BENCH_STATE that is not a folder before starting anything", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--only", "spa"],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, KILN_BENCH_STATE: "/nonexistent/kiln-bench-state" },
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("KILN_BENCH_STATE");
    expect(result.stdout).not.toContain("starting the database");
  });

  it("lists the options and every figure id with --help", () => {
    const help = bench("--help");
    expect(help.status).toBe(0);
    for (const id of ["gateway-overhead", "postgres-stopped", "team-object-load", "spa"]) {
      expect(help.stdout).toContain(id);
    }
  });

  it.each([
    [["--only", "gateway-overhea"], "unknown figure id(s): gateway-overhea"],
    [["--only", ","], "--only needs at least one figure id"],
    [["--streams", "abc,-5"], "--streams takes whole numbers"],
    [["--out", "../../elsewhere"], "--out takes a plain name"],
    [["--bogus"], "Unknown option '--bogus'"],
    [["--only=spa", "--only=cache-hit"], "--only is given twice"],
    [["--streams", "1e2"], "--streams takes whole numbers"],
    [["--only", "spa", "--streams", "50"], "--streams is for team-object-load"],
  ])("refuses %j before starting anything", (args, message) => {
    const before = existsSync(latest) ? statSync(latest).mtimeMs : 0;
    const result = bench(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage: npm run bench");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain("starting the database");
    expect(existsSync(latest) ? statSync(latest).mtimeMs : 0).toBe(before);
  });
});
