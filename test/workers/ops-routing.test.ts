/**
 * The ops API for routing: operators only, validated, versioned, and a
 * saved change steers the very next chat request.
 */
import { describe, expect, it } from "vitest";
import type { OpsBreakersResponse, OpsRoutingResponse } from "../../contract/routing.ts";
import { chat, marker, metaOf, newTag, readChatEvents, simCalls } from "./gateway-helpers.ts";
import { api, readError, signIn } from "./helpers.ts";

async function getRouting(token: string) {
  const response = await api("/api/ops/routing", { token });
  expect(response.status).toBe(200);
  return ((await response.json()) as OpsRoutingResponse).routing;
}

describe("ops routing API", () => {
  it("is for platform operators only", async () => {
    const person = await signIn();
    const response = await api("/api/ops/routing", { token: person.access_token });
    expect(response.status).toBe(403);
    expect((await readError(response)).code).toBe("forbidden");

    const me = await api("/api/me", { token: person.access_token });
    expect(
      ((await me.json()) as { user: { isPlatformOperator: boolean } }).user.isPlatformOperator,
    ).toBe(false);
  });

  it("saves a validated change with a new version, refuses stale and invalid ones", async () => {
    const ops = await signIn("ops@example.com");
    const me = await api("/api/me", { token: ops.access_token });
    expect(
      ((await me.json()) as { user: { isPlatformOperator: boolean } }).user.isPlatformOperator,
    ).toBe(true);

    const current = await getRouting(ops.access_token);
    const config = structuredClone(current.config);
    config.disabledProviders = ["simulator-openai"];

    const saved = await api("/api/ops/routing", {
      token: ops.access_token,
      method: "PUT",
      body: { expectedVersion: current.version, config },
    });
    expect(saved.status).toBe(200);
    const document = ((await saved.json()) as OpsRoutingResponse).routing;
    expect(document).toMatchObject({
      version: current.version + 1,
      source: "kv",
      updatedBy: "ops@example.com",
    });

    // The next chat request follows the new routing, without a deploy.
    const person = await signIn();
    const tag = newTag();
    const events = await readChatEvents(
      await chat(person.access_token, `a counter ${marker({ tag })}`),
    );
    expect(metaOf(events).provider).toBe("simulator-anthropic");
    expect((await simCalls(tag)).map((call) => call.protocol)).toEqual(["anthropic"]);

    const stale = await api("/api/ops/routing", {
      token: ops.access_token,
      method: "PUT",
      body: { expectedVersion: current.version, config },
    });
    expect(stale.status).toBe(409);
    expect((await readError(stale)).code).toBe("version_conflict");

    const invalid = await api("/api/ops/routing", {
      token: ops.access_token,
      method: "PUT",
      body: { expectedVersion: document.version, config: { ...config, defaultClass: "missing" } },
    });
    expect(invalid.status).toBe(400);
    expect((await readError(invalid)).code).toBe("invalid_body");

    const restored = structuredClone(config);
    restored.disabledProviders = [];
    const back = await api("/api/ops/routing", {
      token: ops.access_token,
      method: "PUT",
      body: { expectedVersion: document.version, config: restored },
    });
    expect(back.status).toBe(200);
  });

  it("shows the team's breakers", async () => {
    const ops = await signIn("ops@example.com");
    await readChatEvents(await chat(ops.access_token, `a counter ${marker({ tag: newTag() })}`));
    const response = await api("/api/ops/breakers", { token: ops.access_token });
    expect(response.status).toBe(200);
    const body = (await response.json()) as OpsBreakersResponse;
    expect(body.teamId).toBe(ops.team_id);
    expect(
      body.breakers.find((breaker) => breaker.provider === "simulator-openai")?.state ?? "closed",
    ).toBe("closed");
    const bad = await api("/api/ops/breakers?teamId=nope", { token: ops.access_token });
    expect(bad.status).toBe(400);
  });
});
