/**
 * Sandboxes through the real Worker and TeamGateway in workerd, against the
 * E2B simulator with the real SDK: steps, logs and results as the SPA sees
 * them, lifetime (expiry in every answer, keep-alive, alarm cleanup,
 * recreate), the team cap, the kill switch, and no secrets in sandboxes.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxStatusResponse, SandboxView } from "../../contract/sandbox.ts";
import { api, readError, signIn } from "./helpers.ts";
import {
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

function stepNames(events: Awaited<ReturnType<typeof runSandbox>>) {
  return events.flatMap((event) =>
    event.type === "step" && event.step.status !== "running"
      ? [`${event.step.name}:${event.step.status}`]
      : [],
  );
}

describe("a web app in a sandbox", () => {
  it("goes create → write → install → start → ready, and hands out the URL only when the port answers", async () => {
    const session = await signIn();
    const events = await runSandbox(session.access_token, REACT_APP);

    expect(stepNames(events)).toEqual([
      "queue:done",
      "create:done",
      "write:done",
      "install:done",
      "start:done",
      "ready:done",
    ]);
    const ready = last(events, "ready");
    expect(ready?.sandbox.status).toBe("ready");
    expect(ready?.sandbox.previewUrl).toMatch(/^http:\/\/3000-sim[0-9a-f]+\.localhost:\d+\/$/);
    expect(ready?.sandbox.simulated).toBe(true);
    expect(Date.parse(ready?.sandbox.expiresAt ?? "")).toBeGreaterThan(Date.now());
    expect(logText(events)).toContain("install: added 87 packages");
    expect(logText(events)).toContain("start:   VITE");

    // Only after "ready" does any event carry a URL.
    const firstUrl = events.findIndex(
      (event) => "sandbox" in event && (event.sandbox as SandboxView).previewUrl !== null,
    );
    expect(events[firstUrl]?.type).toBe("ready");
  });

  it("takes a real app's worth of files (far over the small-JSON routes' 64 KiB), not a 413", async () => {
    const session = await signIn();
    // 24 files of 30,000 characters: 720 KB, inside the 1,000,000-character sandbox limit.
    const files = Array.from({ length: 24 }, (_, index) => ({
      path: `src/part${index}.js`,
      content: `export const part${index} = ${JSON.stringify("x".repeat(30_000))};\n`,
    }));
    const events = await runSandbox(session.access_token, {
      ...REACT_APP,
      files: [...REACT_APP.files, ...files],
    });
    expect(last(events, "ready")?.sandbox.status).toBe("ready");

    // The small sandbox routes keep a small cap.
    const sandboxId = last(events, "ready")?.sandbox.id ?? "";
    const keepAlive = await api(`/api/sandbox/${sandboxId}/keep-alive`, {
      token: session.access_token,
      body: { padding: "x".repeat(64 * 1024) },
    });
    expect(keepAlive.status).toBe(413);
  });

  it("runs a Next.js app from its page alone (the template adds package.json)", async () => {
    const session = await signIn();
    const events = await runSandbox(session.access_token, NEXT_APP);

    expect(last(events, "ready")?.sandbox.template).toBe("nextjs");
    expect(logText(events)).toContain("Next.js");
    const e2bId =
      /3000-(sim[0-9a-f]+)\./.exec(last(events, "ready")?.sandbox.previewUrl ?? "")?.[1] ?? "";
    const sandbox = await simulatedSandbox(e2bId);
    expect(sandbox.files).toEqual(
      expect.arrayContaining(["/home/user/app/package.json", "/home/user/app/app/page.tsx"]),
    );
  });

  it("puts no Kiln secrets in the sandbox: only PORT in its environment, only the app's files", async () => {
    const session = await signIn();
    const events = await runSandbox(session.access_token, REACT_APP);
    const e2bId =
      /3000-(sim[0-9a-f]+)\./.exec(last(events, "ready")?.sandbox.previewUrl ?? "")?.[1] ?? "";
    const sandbox = await simulatedSandbox(e2bId);

    expect(sandbox.envVars).toEqual({ PORT: "3000" });
    expect(Object.keys(sandbox.metadata).sort()).toEqual(["kilnSandboxId", "kilnTeamId"]);
    expect(JSON.stringify(sandbox)).not.toContain(session.access_token);
    expect(JSON.stringify(sandbox)).not.toContain(env.E2B_API_KEY ?? "-");
  });
});

describe("Python in the code interpreter", () => {
  it("returns stdout, stderr and rich results (a chart and a table), then ends the sandbox", async () => {
    const session = await signIn();
    const events = await runSandbox(session.access_token, PYTHON_RUN);

    expect(stepNames(events)).toEqual([
      "queue:done",
      "create:done",
      "write:done",
      "install:skipped",
      "run:done",
    ]);
    const finished = last(events, "finished");
    expect(finished?.sandbox.status).toBe("finished");
    expect(finished?.sandbox.execution?.stdout).toEqual(["Monthly sales\n"]);
    expect(finished?.sandbox.execution?.stderr).toEqual(["two months only\n"]);
    expect(
      finished?.sandbox.execution?.results.map((result) => Object.keys(result).sort()),
    ).toEqual([
      ["isMain", "png", "text"],
      ["html", "isMain", "text"],
    ]);
    expect(logText(events)).toContain("stdout: Monthly sales");
    expect(logText(events)).toContain("stderr: two months only");
  });
});

describe("lifetime", () => {
  it("keeps a sandbox alive within the plan's maximum, and expires it by alarm into an 'expired' answer", async () => {
    await setSandboxSettings({ ttlSeconds: 60, maxLifetimeSeconds: 90 });
    const session = await signIn();
    const token = session.access_token;
    const ready = last(await runSandbox(token, REACT_APP), "ready")?.sandbox;
    if (!ready) throw new Error("no ready sandbox");

    const kept = await api(`/api/sandbox/${ready.id}/keep-alive`, { token, method: "POST" });
    expect(kept.status).toBe(200);
    const keptView = ((await kept.json()) as { sandbox: SandboxView }).sandbox;
    expect(Date.parse(keptView.expiresAt)).toBeGreaterThanOrEqual(Date.parse(ready.expiresAt));
    expect(Date.parse(keptView.expiresAt)).toBeLessThanOrEqual(Date.parse(ready.maxExpiresAt));

    // Time passes: the row's expiry moves into the past, then the alarm runs.
    const stub = env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(session.team_id));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE sandboxes SET expires_at = ? WHERE id = ?",
        Date.now() - 1,
        ready.id,
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const status = await api(`/api/sandbox/${ready.id}`, { token });
    const body = (await status.json()) as SandboxStatusResponse;
    expect(body.sandbox.status).toBe("expired");
    expect(body.sandbox.previewUrl).toBeNull();
    expect(body.canRecreate).toBe(true);
    const e2bId = /3000-(sim[0-9a-f]+)\./.exec(ready.previewUrl ?? "")?.[1] ?? "";
    expect((await simulatedSandbox(e2bId)).alive).toBe(false);

    const again = await api(`/api/sandbox/${ready.id}/keep-alive`, { token, method: "POST" });
    expect(again.status).toBe(409);
    expect((await readError(again)).code).toBe("sandbox_expired");

    const recreated = await api(`/api/sandbox/${ready.id}/recreate`, { token, method: "POST" });
    expect(recreated.status).toBe(200);
  });

  it("stops a sandbox on request and counts its sandbox seconds", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ready = last(await runSandbox(token, REACT_APP), "ready")?.sandbox;
    const stopped = await api(`/api/sandbox/${ready?.id}/stop`, { token, method: "POST" });
    const view = ((await stopped.json()) as { sandbox: SandboxView }).sandbox;
    expect(view.status).toBe("stopped");
    expect(view.sandboxSeconds).toBeGreaterThanOrEqual(1);
  });
});

describe("warm pool", () => {
  it("is off by default; with a size set, the next run takes a ready sandbox", async () => {
    const session = await signIn();
    const first = await runSandbox(session.access_token, REACT_APP);
    expect(
      first.find(
        (event) =>
          event.type === "step" && event.step.name === "create" && event.step.status === "done",
      ),
    ).toMatchObject({ step: { detail: "base" } });

    await setSandboxSettings({ warmPool: { "vite-react": 1 }, maxConcurrentPerTeam: 5 });
    await runSandbox(session.access_token, REACT_APP);
    const stub = env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(session.team_id));
    await expect
      .poll(() =>
        runInDurableObject(stub, (_instance, state) =>
          Number(state.storage.sql.exec("SELECT count(*) AS n FROM warm_sandboxes").one().n),
        ),
      )
      .toBe(1);

    const warm = await runSandbox(session.access_token, REACT_APP);
    const create = warm.findLast((event) => event.type === "step" && event.step.name === "create");
    expect(create).toMatchObject({ step: { status: "done", detail: "base, from the warm pool" } });
    expect(last(warm, "ready")?.sandbox.previewUrl).toContain("3000-");
  });
});

describe("limits and the kill switch", () => {
  it("refuses a sandbox over the team's cap, saying which limit and what to do", async () => {
    await setSandboxSettings({ maxConcurrentPerTeam: 1 });
    const session = await signIn();
    await runSandbox(session.access_token, REACT_APP);

    const over = await api("/api/sandbox", { token: session.access_token, body: REACT_APP });
    expect(over.status).toBe(429);
    const error = await readError(over);
    expect(error.code).toBe("sandbox_limit_reached");
    expect(error.message).toContain("1 of 1");
    expect(error.hint).toContain("Stop a running preview sandbox");
  });

  it("with the kill switch on, still answers: web apps fall back to the browser, Python to code only", async () => {
    await setSandboxSettings({ disabled: true });
    const session = await signIn();

    const web = await runSandbox(session.access_token, REACT_APP);
    expect(web).toEqual([
      {
        type: "unavailable",
        fallback: expect.objectContaining({ reason: "switched_off", stillWorks: "browser" }),
      },
    ]);
    const python = await runSandbox(session.access_token, PYTHON_RUN);
    expect(last(python, "unavailable")?.fallback.stillWorks).toBe("code_only");
  });

  it("lets only platform operators change the settings", async () => {
    const session = await signIn();
    const response = await api("/api/sandbox/settings", {
      token: session.access_token,
      method: "PUT",
      body: { disabled: true },
    });
    expect(response.status).toBe(403);
  });
});
