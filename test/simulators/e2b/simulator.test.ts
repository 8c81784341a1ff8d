/**
 * The simulator against the real SDKs in Node: if these pass, the SDK's own
 * requests (REST, multipart uploads, Connect streams, NDJSON) are understood.
 */
import { Sandbox as CodeInterpreter } from "@e2b/code-interpreter";
import { CommandExitError, Sandbox } from "e2b";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2bSimulator, startE2bSimulator } from "./server.ts";

let simulator: E2bSimulator;
const connection = () => ({
  apiKey: "e2b_simulated",
  apiUrl: simulator.url,
  sandboxUrl: simulator.url,
});

beforeAll(async () => {
  simulator = await startE2bSimulator();
});
afterAll(() => simulator.close());

async function injectFaults(teamId: string, faults: string[]) {
  const response = await fetch(`${simulator.url}/_simulator/faults`, {
    method: "POST",
    body: JSON.stringify({ teamId, faults, startDelayMs: 200 }),
  });
  expect(response.status).toBe(200);
}

describe("E2B simulator with the real SDK", () => {
  it("creates a sandbox, writes files, runs an install and starts a dev server", async () => {
    const sandbox = await Sandbox.create("base", {
      ...connection(),
      timeoutMs: 60_000,
      metadata: { kilnTeamId: "t-ok" },
    });
    await sandbox.files.write([
      { path: "/home/user/app/package.json", data: '{"scripts":{"dev":"vite"}}' },
      { path: "/home/user/app/src/App.tsx", data: "<h1>Hello sandbox</h1>" },
    ]);

    const install = await sandbox.commands.run("npm install", { cwd: "/home/user/app" });
    expect(install.exitCode).toBe(0);
    expect(install.stdout).toContain("added");

    const server = await sandbox.commands.run("npm run dev -- --port 3000", {
      background: true,
      cwd: "/home/user/app",
    });
    expect(server.pid).toBeGreaterThan(0);
    // Node cannot resolve `*.localhost`; the E2B edge also routes by these headers.
    expect(sandbox.getHost(3000)).toBe(`3000-${sandbox.sandboxId}.localhost:${simulator.port}`);
    const page = await fetch(simulator.url, {
      headers: { "E2b-Sandbox-Id": sandbox.sandboxId, "E2b-Sandbox-Port": "3000" },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Hello sandbox");

    expect(await sandbox.commands.kill(server.pid)).toBe(true);
    expect(await sandbox.kill()).toBe(true);
    expect(await sandbox.isRunning()).toBe(false);
  });

  it("reports a failing install as a CommandExitError with its stderr", async () => {
    await injectFaults("t-install", ["install-fails"]);
    const sandbox = await Sandbox.create({
      ...connection(),
      metadata: { kilnTeamId: "t-install" },
    });
    const failure = await sandbox.commands.run("npm install").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CommandExitError);
    expect((failure as CommandExitError).exitCode).toBe(1);
    expect((failure as CommandExitError).stderr).toContain("404 Not Found");
  });

  it("runs Python in the code interpreter with stdout, stderr and rich results", async () => {
    const sandbox = await CodeInterpreter.create({ ...connection(), metadata: {} });
    const execution = await sandbox.runCode(
      [
        "import sys",
        'print("hello")',
        'print("careful", file=sys.stderr)',
        "plt.show()",
        "df",
      ].join("\n"),
    );
    expect(execution.logs.stdout).toEqual(["hello\n"]);
    expect(execution.logs.stderr).toEqual(["careful\n"]);
    expect(execution.results.map((result) => result.formats())).toEqual([["png"], ["html"]]);
    expect(execution.results[1]?.text).toContain("month");
    expect(execution.error).toBeUndefined();
  });

  it("answers 429 on create when rate limited", async () => {
    await injectFaults("t-rate", ["rate-limited"]);
    const failure = await Sandbox.create({
      ...connection(),
      metadata: { kilnTeamId: "t-rate" },
    }).catch((error: unknown) => error);
    expect((failure as Error).name).toBe("RateLimitError");
  });
});
