/**
 * Sandboxes in the team's accounts, through the real Worker, TeamGateway and
 * write queue against the E2B simulator: a sandbox is admitted under the
 * plan's concurrent-sandbox quota (as a team admin sets it), its seconds and
 * their cost land in the usage ledger and the monthly budget that `/usage`
 * reads, a spent budget refuses the next one, and its lifecycle lands in
 * Postgres through KILN_WRITES.
 */
import { env } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import type { ErrorBody } from "../../contract/api.ts";
import { DEFAULT_SANDBOX_MICRO_USD_PER_SECOND } from "../../contract/prices.ts";
import type { SandboxView } from "../../contract/sandbox.ts";
import type { UsageResponse } from "../../contract/usage.ts";
import { createSql } from "../../worker/db/client.ts";
import { api, readError, signIn } from "./helpers.ts";
import { injectFaults, last, PYTHON_RUN, REACT_APP, runSandbox } from "./sandbox-helpers.ts";

const sql = createSql(env);
/** The write queue delivers in batches (max_batch_timeout = 1 s): wait well past one. */
const QUEUE_WAIT = { timeout: 10_000 };
afterAll(() => sql.end({ timeout: 2 }));

async function setLimits(token: string, body: Record<string, number>) {
  const response = await api("/api/limits", { token, method: "PUT", body });
  if (response.status !== 200) throw new Error(`limits: ${await response.text()}`);
}

async function readySandbox(token: string): Promise<SandboxView> {
  const ready = last(await runSandbox(token, REACT_APP), "ready")?.sandbox;
  if (!ready) throw new Error("the sandbox never became ready");
  return ready;
}

async function stop(token: string, sandboxId: string): Promise<SandboxView> {
  const response = await api(`/api/sandbox/${sandboxId}/stop`, { token, method: "POST" });
  return ((await response.json()) as { sandbox: SandboxView }).sandbox;
}

async function usage(token: string): Promise<UsageResponse> {
  return (await (await api("/api/usage", { token })).json()) as UsageResponse;
}

describe("the plan's concurrent-sandbox quota", () => {
  it("admits as many sandboxes as the team's limit allows, and one more once one stops", async () => {
    const session = await signIn();
    const token = session.access_token;
    await setLimits(token, { concurrentSandboxes: 1 });
    const first = await readySandbox(token);

    const over = await api("/api/sandbox", { token, body: REACT_APP });
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get("retry-after"));
    const error = (await readError(over)) as ErrorBody["error"];
    expect(error.code).toBe("sandbox_limit_reached");
    expect(error.limit).toMatchObject({
      scope: "team",
      name: "concurrent_sandboxes",
      limit: 1,
      remaining: 0,
      unit: "sandboxes",
    });
    expect(error.limit?.retryAfterSeconds).toBe(retryAfter);
    expect(error.message).toContain("1 of 1 sandboxes running at once");
    expect(error.hint).toContain("Stop a running preview sandbox");

    await stop(token, first.id);
    expect(last(await runSandbox(token, REACT_APP), "ready")?.sandbox.status).toBe("ready");
  });

  it("lets a team on a larger plan run more than the old fixed cap of two", async () => {
    const session = await signIn();
    const token = session.access_token;
    await setLimits(token, { concurrentSandboxes: 3 });
    for (let index = 0; index < 3; index += 1) await readySandbox(token);

    const over = await api("/api/sandbox", { token, body: REACT_APP });
    expect(over.status).toBe(429);
    expect((await readError(over)).code).toBe("sandbox_limit_reached");
  });

  it("gives the slot back when the sandbox service fails to create one", async () => {
    const session = await signIn();
    const token = session.access_token;
    await setLimits(token, { concurrentSandboxes: 1 });
    await injectFaults(session.team_id, ["create-fails"]);
    expect(last(await runSandbox(token, REACT_APP), "unavailable")?.fallback.reason).toBe(
      "e2b_down",
    );

    await injectFaults(session.team_id, []);
    expect(last(await runSandbox(token, REACT_APP), "ready")?.sandbox.status).toBe("ready");
  });

  it("frees the slot as soon as a Python run finishes", async () => {
    const session = await signIn();
    const token = session.access_token;
    await setLimits(token, { concurrentSandboxes: 1 });
    expect(last(await runSandbox(token, PYTHON_RUN), "finished")?.sandbox.status).toBe("finished");
    expect(last(await runSandbox(token, PYTHON_RUN), "finished")?.sandbox.status).toBe("finished");
  });
});

describe("sandbox seconds in the team's usage and budget", () => {
  it("charges an ended sandbox's seconds and cost to the ledger row and the monthly budget", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ready = await readySandbox(token);
    const stopped = await stop(token, ready.id);
    expect(stopped.sandboxSeconds).toBeGreaterThanOrEqual(1);
    const cost = stopped.sandboxSeconds * DEFAULT_SANDBOX_MICRO_USD_PER_SECOND;

    await expect
      .poll(async () => (await usage(token)).rows.find((row) => row.model === "sandbox:vite-react"))
      .toMatchObject({
        userId: session.user.id,
        sandboxSeconds: stopped.sandboxSeconds,
        costMicroUsd: cost,
        requests: 1,
        inputTokens: 0,
        outputTokens: 0,
      });
    const dollars = (await usage(token)).budgets.find(
      (budget) => budget.name === "dollars_per_month",
    );
    expect(dollars?.used).toBe(cost);

    const csv = await (await api("/api/usage.csv", { token })).text();
    expect(csv).toContain(`sandbox:vite-react,${session.user.id}`);
    expect(csv.trim().split("\r\n")[1]?.endsWith(`,${stopped.sandboxSeconds}`)).toBe(true);
  });

  it("refuses a new sandbox once the month's budget is spent, saying which limit", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ready = await readySandbox(token);
    await stop(token, ready.id);
    const spentSoFar = async () =>
      (await usage(token)).budgets.find((budget) => budget.name === "dollars_per_month")?.used ?? 0;
    await expect.poll(spentSoFar).toBeGreaterThan(0);
    const spent = await spentSoFar();
    await setLimits(token, { dollarsPerMonthMicroUsd: spent });

    const over = await api("/api/sandbox", { token, body: REACT_APP });
    expect(over.status).toBe(429);
    const error = (await readError(over)) as ErrorBody["error"];
    expect(error.code).toBe("budget_exceeded");
    expect(error.limit).toMatchObject({ name: "dollars_per_month", remaining: 0 });
  });
});

describe("sandbox records through the write queue", () => {
  it("lands created, ready and ended (with its seconds) in Postgres", async () => {
    const session = await signIn();
    const token = session.access_token;
    const ready = await readySandbox(token);
    const stopped = await stop(token, ready.id);

    const events = async () =>
      sql<{ event: string; user_id: string; template: string; detail: Record<string, unknown> }[]>`
        select event, user_id, template, detail from public.sandbox_records
        where team_id = ${session.team_id} and id = ${ready.id} order by created_at, event`;
    await expect
      .poll(async () => (await events()).map((row) => row.event), QUEUE_WAIT)
      .toEqual(["created", "ready", "ended"]);
    const rows = await events();
    expect(rows.every((row) => row.user_id === session.user.id)).toBe(true);
    expect(rows.every((row) => row.template === "vite-react")).toBe(true);
    expect(rows.at(-1)?.detail).toMatchObject({
      status: "stopped",
      sandboxSeconds: stopped.sandboxSeconds,
    });
  });

  it("records a failed run with its outcome", async () => {
    const session = await signIn();
    const token = session.access_token;
    const events = await runSandbox(token, {
      template: "vite-react",
      files: [
        { path: "package.json", content: JSON.stringify({ name: "app", scripts: {} }) },
        { path: "src/App.tsx", content: "export default () => null;\n" },
      ],
    });
    const failed = last(events, "failed");
    expect(failed).toBeDefined();
    const sandboxId = failed?.sandbox.id ?? "";

    await expect
      .poll(
        async () =>
          (
            await sql<{ event: string; detail: Record<string, unknown> }[]>`
            select event, detail from public.sandbox_records
            where team_id = ${session.team_id} and id = ${sandboxId} order by event`
          ).map((row) => [row.event, row.detail.outcome]),
        QUEUE_WAIT,
      )
      .toEqual([
        ["created", undefined],
        ["ended", failed?.failure.outcome],
        ["failed", failed?.failure.outcome],
      ]);
  });
});
