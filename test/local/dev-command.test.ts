/**
 * `npm run dev` as a new user runs it: the one URL it prints serves the app,
 * the API and the preview runtime once the SPA watcher's first build has run
 * (that rebuild once emptied the folder the runtime lives in, and every
 * preview failed), and an answer asked for the moment the URL is printed
 * streams to its end (the watcher's first build, run beside the stack, once
 * reloaded workerd a second later and cut such answers off).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
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

    // At once, as a person who opens the URL and asks: about 4 s of streaming.
    const signIn = await fetch(`${url}/api/dev/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `dev-${port}@example.com` }),
    });
    expect(signIn.status).toBe(200);
    const { access_token: token } = (await signIn.json()) as { access_token: string };
    const answer = await fetch(`${url}/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "a counter [[sim chunk-ms=100]]" }),
    });
    expect(answer.status).toBe(200);
    const events = [...(await answer.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.at(-1)).toBe("done");

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

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
  }, 300_000);

  it("refuses a port already in use, before building, and prints no URL", async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const refused = spawn("npm", ["run", "dev", "--silent"], {
        cwd: projectRoot,
        env: { ...withoutNodeEnv(process.env), PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      refused.stdout?.on("data", (chunk) => {
        output += String(chunk);
      });
      refused.stderr?.on("data", (chunk) => {
        output += String(chunk);
      });
      const code = await new Promise((resolve) => refused.once("exit", resolve));
      expect(code).toBe(1);
      expect(output).toContain(`port ${port} is already in use`);
      expect(output).not.toContain("Kiln is running");
      expect(output).not.toContain("building the app");
    } finally {
      holder.close();
    }
  }, 60_000);
});
