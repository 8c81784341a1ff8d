/**
 * `npm run dev` as a new user runs it: the one URL it prints serves the app,
 * the API and the preview runtime, and keeps serving the runtime after the
 * watch rebuild of the SPA has run (that rebuild once emptied the folder the
 * runtime lives in, and every preview failed).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../local/stack.ts";
import { freePort } from "../support/ports.ts";

let dev: ChildProcess | undefined;

afterAll(async () => {
  if (!dev?.pid || dev.exitCode !== null) return;
  const exited = new Promise((resolve) => dev?.once("exit", resolve));
  // The whole process group: npm, tsx, the SPA watcher, wrangler and workerd.
  process.kill(-dev.pid, "SIGTERM");
  await exited;
});

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? match[0]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm run dev exited ${code}:\n${seen}`)));
  });
}

function pids(pattern: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", pattern]).toString().trim().split("\n").map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches.
  }
}

function withoutNodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_ENV: _ignored, ...rest } = env;
  return rest;
}

function isUnder(pid: number, folder: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === folder.replace(/\/$/, "");
  } catch {
    return false;
  }
}

describe("npm run dev", () => {
  it("prints one URL that serves the app, the API and the preview runtime", async () => {
    const port = await freePort();
    const stateDir = await mkdtemp(join(tmpdir(), "kiln-dev-"));
    dev = spawn("npm", ["run", "dev", "--silent"], {
      cwd: projectRoot,
      env: {
        // As a person runs it: vitest's NODE_ENV=test would make Vite build
        // React in development mode into the dist/ other tests serve.
        ...withoutNodeEnv(process.env),
        PORT: String(port),
        KILN_SIMULATOR_PORT: String(await freePort()),
        KILN_E2B_SIMULATOR_PORT: String(await freePort()),
        KILN_STATE_DIR: stateDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });

    const url = await waitForOutput(dev, /Kiln is running:\s+(http:\/\/\S+)/, 150_000);
    expect(url).toBe(`http://localhost:${port}`);
    // dev.ts starts the SPA watcher just before printing the URL, so this is
    // still the first build's index.html; the watcher's rebuild replaces it.
    // Dev builds into its own folder, so `npm run build` (dist/) can run beside it.
    const indexHtml = join(stateDir, "client", "index.html");
    const firstBuildMtimeMs = (await stat(indexHtml)).mtimeMs;

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    await expect
      .poll(async () => (await stat(indexHtml)).mtimeMs > firstBuildMtimeMs, { timeout: 60_000 })
      .toBe(true);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="app"');
    const runtime = await fetch(`${url}/preview/runtime.js`);
    expect(runtime.status).toBe(200);
    expect(runtime.headers.get("content-type")).toMatch(/javascript/);

    // If workerd dies (wrangler itself lives on), `npm run dev` says so and
    // exits, taking wrangler with it, instead of showing a dead URL.
    const stopped = waitForOutput(dev, /Kiln stopped: workerd/, 60_000);
    const exitCode = new Promise((resolve) => dev?.once("exit", resolve));
    const workerdPids = pids(`workerd serve .*entry=127.0.0.1:${port}`);
    expect(workerdPids.length).toBeGreaterThan(0);
    for (const pid of workerdPids) process.kill(pid, "SIGKILL");
    await stopped;
    expect(await exitCode).toBe(1);
    expect(pids(`wrangler.* dev --port ${port} `)).toEqual([]);
    expect(pids(`vite.js build --watch`).filter((pid) => isUnder(pid, projectRoot))).toEqual([]);
  }, 300_000);
});
