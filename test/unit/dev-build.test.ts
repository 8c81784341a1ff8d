/**
 * `npm run dev` keeps `vite build --watch` running; `npm run build` (and so
 * `npm test`) must still work beside it. Vite refuses a second build that
 * shares the watcher's lock, so the dev watcher builds into its own folder
 * (KILN_CLIENT_OUT_DIR) with a lock of its own. Both builds here go to
 * scratch folders, so the repository's dist/ is left alone.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../local/stack.ts";

const run = promisify(execFile);
const vite = join(projectRoot, "node_modules", "vite", "bin", "vite.js");
const config = ["--config", "frontend/vite.config.ts", "--logLevel", "warn"];

let watcher: ChildProcess | undefined;
let scratch: string | undefined;

afterEach(async () => {
  watcher?.kill("SIGTERM");
  if (watcher && watcher.exitCode === null)
    await new Promise((done) => watcher?.once("exit", done));
  watcher = undefined;
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function fileAppears(path: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the watcher exited with ${child.exitCode}`);
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the SPA build beside the dev watcher", { timeout: 120_000 }, () => {
  it("builds while a watch build of another folder holds its lock", async () => {
    scratch = await mkdtemp(join(tmpdir(), "kiln-dev-build-"));
    const devFolder = join(scratch, "dev-client");
    const buildFolder = join(scratch, "client");

    watcher = spawn(process.execPath, [vite, "build", "--watch", ...config], {
      cwd: projectRoot,
      stdio: "ignore",
      env: { ...process.env, KILN_CLIENT_OUT_DIR: devFolder, KILN_WATCH_BUILD: "1" },
    });
    await fileAppears(join(devFolder, "index.html"), watcher);

    const build = await run(process.execPath, [vite, "build", ...config], {
      cwd: projectRoot,
      env: { ...process.env, KILN_CLIENT_OUT_DIR: buildFolder },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(build.stderr).not.toMatch(/another Vite build/);
    expect(build.code).toBe(0);
    await access(join(buildFolder, "index.html"));
    expect(watcher.exitCode).toBeNull();
  });
});
