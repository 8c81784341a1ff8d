/**
 * The running app's output after "ready", as the preview panel follows it:
 * `GET /api/sandbox/:id/logs/stream` replays the saved runtime lines, then
 * streams new ones as the app prints them (the simulated dev server logs each
 * request it answers), and ends when the sandbox does. Only the newest
 * MAX_RUNTIME_LOG_LINES are kept.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_RUNTIME_LOG_LINES, type SandboxStreamEvent } from "../../contract/sandbox.ts";
import { SandboxStore } from "../../durable-objects/sandboxes/store.ts";
import { api, readError, signIn } from "./helpers.ts";
import { e2bIdFromUrl, last, REACT_APP, readSandboxEvents, runSandbox } from "./sandbox-helpers.ts";

/** A request to the app, as a browser opening the preview makes it. */
async function visit(previewUrl: string | null, path: string) {
  const response = await fetch(`${env.E2B_SANDBOX_URL}${path}`, {
    headers: { "E2b-Sandbox-Id": e2bIdFromUrl(previewUrl), "E2b-Sandbox-Port": "3000" },
  });
  expect(response.status).toBe(200);
  await response.body?.cancel();
}

function runtimeLines(events: SandboxStreamEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === "log" && event.line.stream === "runtime" ? [event.line.text] : [],
  );
}

describe("runtime logs after ready", () => {
  it("streams the app's output while it runs, and ends when the sandbox stops", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ready = last(await runSandbox(token, REACT_APP), "ready")?.sandbox;
    if (!ready) throw new Error("the sandbox never became ready");
    await visit(ready.previewUrl, "/before-following");

    const follow = await api(`/api/sandbox/${ready.id}/logs/stream`, { token });
    expect(follow.status).toBe(200);
    expect(follow.headers.get("content-type")).toContain("text/event-stream");
    const followed = readSandboxEvents(follow);

    // The saved line is replayed; new requests arrive on the open stream.
    await visit(ready.previewUrl, "/while-following");
    await expect
      .poll(async () => {
        const logs = await (await api(`/api/sandbox/${ready.id}/logs`, { token })).json();
        return (logs as { lines: { text: string }[] }).lines.map((line) => line.text);
      })
      .toContain("GET /while-following 200");
    await api(`/api/sandbox/${ready.id}/stop`, { token, method: "POST" });

    const events = await followed;
    expect(events[0]).toMatchObject({ type: "sandbox", sandbox: { status: "ready" } });
    expect(runtimeLines(events)).toEqual(
      expect.arrayContaining(["GET /before-following 200", "GET /while-following 200"]),
    );
    expect(events.at(-1)).toMatchObject({ type: "sandbox", sandbox: { status: "stopped" } });
  });

  it("answers an ended sandbox with its saved lines and closes at once", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ready = last(await runSandbox(token, REACT_APP), "ready")?.sandbox;
    await visit(ready?.previewUrl ?? null, "/once");
    await expect
      .poll(async () => {
        const logs = await (await api(`/api/sandbox/${ready?.id}/logs`, { token })).json();
        return (logs as { lines: { text: string }[] }).lines.map((line) => line.text);
      })
      .toContain("GET /once 200");
    await api(`/api/sandbox/${ready?.id}/stop`, { token, method: "POST" });

    const events = await readSandboxEvents(
      await api(`/api/sandbox/${ready?.id}/logs/stream`, { token }),
    );
    expect(events[0]).toMatchObject({ type: "sandbox", sandbox: { status: "stopped" } });
    expect(runtimeLines(events)).toContain("GET /once 200");
  });

  it("answers an unknown sandbox with the documented 404", async () => {
    const session = await signIn();
    const response = await api(`/api/sandbox/${crypto.randomUUID()}/logs/stream`, {
      token: session.access_token,
    });
    expect(response.status).toBe(404);
    expect((await readError(response)).code).toBe("sandbox_not_found");
  });
});

describe("runtime lines in storage", () => {
  it("keeps the newest runtime lines only, and every step line up to its own cap", async () => {
    const stub = env.TEAM_GATEWAY.get(env.TEAM_GATEWAY.idFromName(crypto.randomUUID()));
    await runInDurableObject(stub, (_instance, state) => {
      const store = new SandboxStore(state.storage.sql);
      store.appendLog("s1", "install", "added 87 packages", 1);
      for (let index = 1; index <= MAX_RUNTIME_LOG_LINES + 50; index += 1) {
        expect(store.appendLog("s1", "runtime", `line ${index}`, index)).not.toBeNull();
      }
      const runtime = store.logs("s1", { runtimeOnly: true });
      expect(runtime).toHaveLength(MAX_RUNTIME_LOG_LINES);
      expect(runtime[0]?.text).toBe("line 51");
      expect(runtime.at(-1)?.text).toBe(`line ${MAX_RUNTIME_LOG_LINES + 50}`);
      expect(store.logs("s1")[0]?.text).toBe("added 87 packages");
    });
  });
});
