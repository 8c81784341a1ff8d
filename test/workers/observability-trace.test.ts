/**
 * One trace id, followed from the SPA's request through every hop: the
 * Worker's log line and span, the team object's log line and span, the
 * provider call's headers and span, and the error body a person would quote
 * to support; then the same trace through the sandbox hop: the Worker's
 * span, the team object's sandbox span and the E2B create call (its
 * `traceparent` as the E2B simulator received it).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { readChatEvents } from "../support/sse.ts";
import { api, signIn } from "./helpers.ts";
import {
  captureLogs,
  e2bCreates,
  providerCalls,
  randomHex,
  spansOf,
} from "./observability-support.ts";
import { last, REACT_APP, readSandboxEvents } from "./sandbox-helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("one trace through every hop", () => {
  it("carries the SPA's trace id to the logs, the provider, the spans and the error body", async () => {
    const session = await signIn();
    const traceId = randomHex(16);
    const spaSpanId = randomHex(8);
    const traceparent = `00-${traceId}-${spaSpanId}-01`;
    const prompt = `Build a counter ${randomHex(6)}`;
    const logs = captureLogs();

    const response = await api("/api/chat", {
      token: session.access_token,
      body: { message: prompt },
      headers: { traceparent },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-trace-id")).toBe(traceId);
    const events = await readChatEvents(response);
    expect(events.at(-1)?.event.type).toBe("done");

    // The Worker's line and the team object's line both carry the trace id.
    await vi.waitFor(() => {
      expect(logs.lines.find((line) => line.event === "chat.request")).toBeDefined();
    });
    const workerLine = logs.lines.find(
      (line) => line.event === "http.request" && line.traceId === traceId,
    );
    expect(workerLine).toMatchObject({ route: "/api/chat", status: 200, outcome: "ok" });
    expect(workerLine?.teamId).toBe(session.team_id);
    const teamLine = logs.lines.find((line) => line.event === "chat.request");
    expect(teamLine).toMatchObject({
      traceId,
      teamId: session.team_id,
      provider: "simulator-openai",
      outcome: "complete",
      attempts: 1,
      fallbackUsed: false,
      cacheHit: false,
    });
    expect(teamLine?.outputTokens).toBeGreaterThan(0);
    expect(teamLine?.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(teamLine?.userHash).toMatch(/^[0-9a-f]{16}$/);
    // Neither the prompt nor the person's id nor the access token is in any line.
    const allLines = logs.raw.join("\n");
    expect(allLines).not.toContain(prompt);
    expect(allLines).not.toContain(session.user.id);
    expect(allLines).not.toContain(session.access_token);

    // The provider was called with a child span of the same trace.
    const call = (await providerCalls()).find((request) => request.traceparent?.includes(traceId));
    expect(call?.path).toBe("/v1/chat/completions");
    const providerSpanId = call?.traceparent?.split("-")[2];

    // The collector got a span per hop, each the child of the hop before.
    await vi.waitFor(async () => {
      expect((await spansOf(traceId)).length).toBeGreaterThanOrEqual(3);
    });
    const spans = await spansOf(traceId);
    const workerSpan = spans.find((span) => span.name === "POST /api/chat");
    const teamSpan = spans.find((span) => span.name === "team_gateway.chat");
    const providerSpan = spans.find((span) => span.name === "simulator-openai chat");
    expect(workerSpan?.parentSpanId).toBe(spaSpanId);
    expect(teamSpan?.parentSpanId).toBe(workerSpan?.spanId);
    expect(providerSpan?.parentSpanId).toBe(teamSpan?.spanId);
    expect(providerSpan?.spanId).toBe(providerSpanId);

    // Running the answer's code joins the same trace: Worker → team object → E2B.
    const runSpanId = randomHex(8);
    const run = await api("/api/sandbox", {
      token: session.access_token,
      body: REACT_APP,
      headers: { traceparent: `00-${traceId}-${runSpanId}-01` },
    });
    expect(run.status).toBe(200);
    expect(run.headers.get("x-trace-id")).toBe(traceId);
    const ready = last(await readSandboxEvents(run), "ready")?.sandbox;
    expect(ready?.status).toBe("ready");

    const create = (await e2bCreates()).find(
      (request) => request.metadata?.kilnSandboxId === ready?.id,
    );
    expect(create?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    await vi.waitFor(async () => {
      const names = (await spansOf(traceId)).map((span) => span.name);
      expect(names).toEqual(expect.arrayContaining(["e2b sandbox.create", "POST /api/sandbox"]));
    });
    const sandboxSpans = await spansOf(traceId);
    const runSpan = sandboxSpans.find((span) => span.name === "POST /api/sandbox");
    const teamSandboxSpan = sandboxSpans.find((span) => span.name === "team_gateway.sandbox");
    const e2bSpan = sandboxSpans.find((span) => span.name === "e2b sandbox.create");
    expect(runSpan?.parentSpanId).toBe(runSpanId);
    expect(teamSandboxSpan?.parentSpanId).toBe(runSpan?.spanId);
    expect(e2bSpan?.parentSpanId).toBe(teamSandboxSpan?.spanId);
    expect(e2bSpan?.spanId).toBe(create?.traceparent?.split("-")[2]);
    expect(
      logs.lines.find((line) => line.event === "sandbox.run" && line.sandboxId === ready?.id),
    ).toMatchObject({ traceId, teamId: session.team_id, status: "ready" });

    // An error the person sees names the same trace.
    const missing = await api(`/api/conversations/${crypto.randomUUID()}`, {
      token: session.access_token,
      headers: { traceparent },
    });
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { traceId?: string; requestId: string } };
    expect(body.error.traceId).toBe(traceId);
    expect(body.error.requestId).toBe(missing.headers.get("x-request-id"));
  });

  it("starts a trace when the caller sends none, or a malformed one", async () => {
    const response = await api("/api/nowhere", { headers: { traceparent: "00-zz-bad-01" } });
    const body = (await response.json()) as { error: { traceId?: string } };
    expect(body.error.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get("x-trace-id")).toBe(body.error.traceId);
  });
});
