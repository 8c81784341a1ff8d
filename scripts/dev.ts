/**
 * `npm run dev`: builds the SPA, starts the whole stack on embedded defaults
 * (or on what `.dev.vars` and DATABASE_URL configure), rebuilds the SPA on
 * change, and prints the one URL to open.
 *
 * The SPA is built into `<state dir>/client`, not `dist/client`, and wrangler
 * serves it from there: `npm run build` and `npm test` then run beside the
 * dev watcher without sharing its folder or its Vite build lock.
 *
 * wrangler reloads the Worker, and with it every team object and the answers
 * they stream, whenever that folder changes. The watcher's first build
 * rewrites it, so the stack starts only once that build is done: started
 * beside it, the first answers sent after the banner were cut off mid-stream
 * and never saved.
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve as resolvePath } from "node:path";
import { build } from "vite";
import { projectRoot, startStack } from "../local/stack.ts";

/** The part of the watcher vite's build() gives back in watch mode (rolldown's) used here. */
type WatcherEvent = { code: string; error?: Error };
type Watcher = {
  on(name: "event", listener: (event: WatcherEvent) => void): unknown;
  off(name: "event", listener: (event: WatcherEvent) => void): unknown;
  close(): Promise<void>;
};

const port = Number(process.env.PORT ?? 8787);
const stateDir = process.env.KILN_STATE_DIR ?? join(projectRoot, ".kiln");
const clientDir = resolvePath(stateDir, "client");
const buildEnv = { ...process.env, KILN_CLIENT_OUT_DIR: clientDir };
const log = (line: string) => console.log(`  ${line}`);

// Another `npm run dev` on the port would answer the health check, and this
// one would print its URL before wrangler failed to bind.
const taken = await portTaken(port);
if (taken) {
  console.error(
    `Kiln: port ${port} is already in use (${taken}), perhaps by another npm run dev. ` +
      "Stop that, or choose another port: PORT=8788 npm run dev",
  );
  process.exit(1);
}

// The folder afresh, then the preview runtime into it; the app itself is the
// watcher's first build below (`npm run build` built it once more before).
console.log("Kiln: building the app…");
await rm(clientDir, { recursive: true, force: true });
await run(process.execPath, ["scripts/build-preview-runtime.mjs"]);

// Rebuild the SPA on change; wrangler serves the new files on the next load.
// In this process, so that stopping it stops the watcher and its build lock.
console.log("Kiln: watching the app for changes…");
Object.assign(process.env, buildEnv, { KILN_WATCH_BUILD: "1" });
const watcher = (await build({
  configFile: join(projectRoot, "frontend", "vite.config.ts"),
  logLevel: "warn",
  build: { watch: {} },
})) as unknown as Watcher;
await firstBuild(watcher);

console.log("Kiln: starting the local stack…");
const stack = await startStack({
  port,
  stateDir,
  databaseUrl: process.env.DATABASE_URL,
  simulatorPort: Number(process.env.KILN_SIMULATOR_PORT ?? 8790),
  e2bSimulatorPort: Number(process.env.KILN_E2B_SIMULATOR_PORT ?? 8791),
  assetsDirectory: clientDir,
  // wrangler's DevTools proxy leaks sockets under concurrent streams (local/stack.ts): the
  // stack fell over at 20 to 50 of them. KILN_DEVTOOLS=1 attaches it for a debugging session.
  devtools: process.env.KILN_DEVTOOLS === "1",
  log,
});

console.log(`
  ┌──────────────────────────────────────────────┐
  │  Kiln is running:  ${stack.url.padEnd(26)}│
  └──────────────────────────────────────────────┘
  Provider: ${process.env.KILN_PROVIDER ?? "set in .dev.vars, else the local simulator"}
  Sandboxes: ${process.env.E2B_API_KEY ? "E2B" : `E2B simulator at ${stack.e2bSimulator?.url}`}
  Database: ${process.env.DATABASE_URL ? "DATABASE_URL" : `embedded PGlite in ${join(stateDir, "pglite")}`}
  Press Ctrl+C to stop.
`);

let stopping = false;
async function shutdown(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  await watcher.close().catch(() => {});
  await stack.stop();
  process.exit(exitCode);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());

// A dead workerd must not leave a banner promising a running app.
void stack.crashed.then((code) => {
  console.error(`
  Kiln stopped: workerd (wrangler dev) exited with code ${code}; the log above says why.
  Run \`npm run dev\` again to restart it.
`);
  void shutdown(1);
});

/** Resolves once the watcher's first build is written; a failed one stops `npm run dev`. */
function firstBuild(watcher: Watcher): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = (event: WatcherEvent) => {
      if (event.code === "END") {
        watcher.off("event", onEvent);
        resolve();
      } else if (event.code === "ERROR") {
        watcher.off("event", onEvent);
        reject(event.error);
      }
    };
    watcher.on("event", onEvent);
  });
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: "inherit", env: buildEnv });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited ${code}`)),
    );
  });
}

/** Why `port` cannot be listened on at 127.0.0.1, or null when it is free. */
function portTaken(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(null)));
  });
}
