/**
 * Every E2B fault the simulator injects, through the real Worker, the
 * TeamGateway and the real SDK, asserting what the person sees: the steps,
 * the outcome in words, the logs so far, and what still works. Case X1 is
 * here too: explicit command deadlines, and timed out / non-zero exit /
 * sandbox gone kept distinct.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxStreamEvent } from "../../contract/sandbox.ts";
import { signIn } from "./helpers.ts";
import {
  injectFaults,
  last,
  logText,
  NEXT_APP,
  PYTHON_RUN,
  REACT_APP,
  runSandbox,
  setSandboxSettings,
  simulatedSandbox,
} from "./sandbox-helpers.ts";

afterEach(() => setSandboxSettings({}));

async function teamWithFaults(faults: string[], startDelayMs?: number) {
  const session = await signIn();
  await injectFaults(session.team_id, faults, startDelayMs);
  return session.access_token;
}

function failure(events: SandboxStreamEvent[]) {
  const failed = last(events, "failed");
  if (!failed) throw new Error(`no failed event in ${JSON.stringify(events.map((e) => e.type))}`);
  return failed;
}

function step(events: SandboxStreamEvent[], name: string) {
  return events.findLast((event) => event.type === "step" && event.step.name === name) as
    | Extract<SandboxStreamEvent, { type: "step" }>
    | undefined;
}

describe("create fails", () => {
  it("still succeeds: the web app falls back to the browser preview and says why", async () => {
    const token = await teamWithFaults(["create-fails"]);
    const events = await runSandbox(token, REACT_APP);

    expect(step(events, "create")?.step.status).toBe("failed");
    expect(last(events, "unavailable")?.fallback).toEqual({
      reason: "e2b_down",
      message: "The sandbox service failed to create a sandbox.",
      stillWorks: "browser",
    });
  });

  it("opens the E2B breaker after three failures: the next request falls back at once", async () => {
    const token = await teamWithFaults(["create-fails"]);
    for (let attempt = 0; attempt < 3; attempt += 1) await runSandbox(token, NEXT_APP);

    const events = await runSandbox(token, NEXT_APP);
    expect(events).toEqual([
      {
        type: "unavailable",
        fallback: expect.objectContaining({ reason: "breaker_open", stillWorks: "code_only" }),
      },
    ]);
  });
});

describe("rate limited by E2B", () => {
  it("falls back and says the service is at its limit", async () => {
    const token = await teamWithFaults(["rate-limited"]);
    const events = await runSandbox(token, REACT_APP);
    expect(last(events, "unavailable")?.fallback).toMatchObject({
      reason: "e2b_limit",
      stillWorks: "browser",
    });
  });
});

describe("slow start", () => {
  it("polls the port until it answers, then is ready", async () => {
    const token = await teamWithFaults(["slow-start"], 1_500);
    const events = await runSandbox(token, REACT_APP);

    expect(step(events, "ready")?.step).toMatchObject({
      status: "done",
      detail: "port 3000 answered",
    });
    expect(last(events, "ready")?.sandbox.previewUrl).toContain("3000-");
  });
});

describe("port never opens", () => {
  it("gives up within the sandbox's life, hands out no URL, and names the wrong port", async () => {
    await setSandboxSettings({ ttlSeconds: 8 });
    const token = await teamWithFaults(["port-never-opens"]);
    const events = await runSandbox(token, REACT_APP);

    const failed = failure(events);
    expect(failed.failure).toMatchObject({
      outcome: "not_ready",
      cause: "wrong_port",
      step: "ready",
    });
    expect(failed.failure.message).toBe(
      "The app listens on port 5173, but the preview expects port 3000.",
    );
    expect(failed.sandbox.previewUrl).toBeNull();
    expect(events.some((event) => event.type === "ready")).toBe(false);
    expect(logText(events)).toContain("http://localhost:5173");
  });
});

describe("command hangs (case X1)", () => {
  it("stops the install at a deadline inside the sandbox's life, kills it, and keeps the partial log", async () => {
    await setSandboxSettings({ ttlSeconds: 6 });
    const token = await teamWithFaults(["command-hangs"]);
    const events = await runSandbox(token, REACT_APP);

    const failed = failure(events);
    expect(failed.failure).toMatchObject({ outcome: "timed_out", step: "install" });
    expect(failed.failure.timeoutMs).toBeLessThanOrEqual(6_000);
    expect(logText(events)).toContain("install: Resolving dependencies…");

    const sandbox = await simulatedSandbox(failed.sandbox.id);
    const install = sandbox.processes.find((process) => process.cmd.startsWith("npm install"));
    expect(install?.state).toBe("killed");
    expect(install?.connectTimeoutMs).toBe(failed.failure.timeoutMs);
  });

  it("stops a hanging Python run at its deadline with the output so far", async () => {
    await setSandboxSettings({ ttlSeconds: 6 });
    const token = await teamWithFaults(["command-hangs"]);
    const events = await runSandbox(token, PYTHON_RUN);

    expect(failure(events).failure).toMatchObject({ outcome: "timed_out", step: "run" });
    expect(logText(events)).toContain("stdout: Working…");
  });

  it("passes every command an explicit deadline: the step's own, not the SDK's hidden 60 s", async () => {
    const token = await teamWithFaults([]);
    const ready = last(await runSandbox(token, REACT_APP), "ready");
    const sandbox = await simulatedSandbox(ready?.sandbox.id ?? "");

    const install = sandbox.processes.find((process) => process.cmd.startsWith("npm install"));
    expect(install?.connectTimeoutMs).toBe(180_000);
    // The server's output is followed for the sandbox's remaining life (runtime logs), never past it.
    const server = sandbox.processes.find((process) => process.cmd.startsWith("npm run dev"));
    const lifeMs =
      Date.parse(ready?.sandbox.expiresAt ?? "") - Date.parse(ready?.sandbox.createdAt ?? "");
    expect(server?.connectTimeoutMs).toBeLessThanOrEqual(lifeMs);
    expect(server?.connectTimeoutMs).toBeGreaterThan(60_000);
  });
});

describe("non-zero exits name their cause", () => {
  it("install failed: exit code and npm's error in the install log", async () => {
    const token = await teamWithFaults(["install-fails"]);
    const events = await runSandbox(token, REACT_APP);

    expect(failure(events).failure).toMatchObject({
      outcome: "exit_nonzero",
      cause: "install_failed",
      step: "install",
      exitCode: 1,
    });
    expect(logText(events)).toContain("install: npm error 404 Not Found");
  });

  it("crash at start: the start log shows the error", async () => {
    const token = await teamWithFaults(["start-crashes"]);
    const events = await runSandbox(token, REACT_APP);

    expect(failure(events).failure).toMatchObject({ outcome: "exit_nonzero", cause: "crashed" });
    expect(logText(events)).toContain("start: Error: Cannot find module");
  });

  it("missing script: package.json without `dev`", async () => {
    const token = await teamWithFaults([]);
    const events = await runSandbox(token, {
      template: "vite-react",
      files: [
        ...REACT_APP.files,
        { path: "package.json", content: '{"name":"app","scripts":{"build":"vite build"}}' },
      ],
    });

    expect(failure(events).failure).toMatchObject({
      outcome: "exit_nonzero",
      cause: "missing_script",
      message: 'package.json has no "dev" script, so the dev server could not start.',
    });
  });
});

describe("sandbox expires mid-run", () => {
  it("says the sandbox is gone (not timed out, not an exit code) and offers to recreate", async () => {
    const token = await teamWithFaults(["sandbox-expires"]);
    const events = await runSandbox(token, REACT_APP);

    const failed = failure(events);
    expect(failed.failure).toMatchObject({ outcome: "sandbox_gone", step: "install" });
    expect(failed.failure.exitCode).toBeUndefined();
    expect(failed.failure.hint).toContain("Recreate");
    expect(step(events, "write")?.step.status).toBe("done");
  });
});
