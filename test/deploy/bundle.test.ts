/**
 * What `npm run build` and the deploy workflows ship, run in workerd: the
 * production environment's bundle answers the health probe and serves the
 * SPA. A dependency or binding that breaks the bundle fails here, before a
 * deploy does.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthResponse } from "../../contract/api.ts";
import { withPasswordForHyperdrive } from "../../local/migrate.ts";
import { type LocalDatabase, startLocalDatabase } from "../../local/pglite-server.ts";
import { projectRoot } from "../../local/stack.ts";
import { type ProductionBundle, startProductionBundle } from "./production-bundle.ts";

let database: LocalDatabase;
let bundle: ProductionBundle;

beforeAll(async () => {
  await access(join(projectRoot, "dist", "client", "index.html")).catch(() => {
    throw new Error("dist/client is missing: run `npm run build` first (`npm test` does)");
  });
  database = await startLocalDatabase();
  bundle = await startProductionBundle({
    databaseUrl: withPasswordForHyperdrive(database.url),
  });
});

afterAll(async () => {
  await bundle?.dispose();
  await database?.stop();
});

describe("the production bundle", () => {
  it("answers the health probe as production, with the database reachable", async () => {
    const response = await bundle.fetch("/api/health");

    expect(response.status).toBe(200);
    const body = (await response.json()) as HealthResponse;
    expect(body.environment).toBe("production");
    expect(body.status).toBe("ok");
    expect(body.dependencies.database.status).toBe("ok");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("serves the SPA at the root and on deep links", async () => {
    for (const path of ["/", "/conversations/some-deep-link"]) {
      const response = await bundle.fetch(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(/text\/html/);
      const html = await response.text();
      expect(html, path).toContain("<title>Kiln</title>");
      expect(html, path).toContain('<div id="app">');
    }
  });

  it("has no development sign-in", async () => {
    const response = await bundle.fetch("/api/dev/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "someone@example.com" }),
    });

    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("not_found");
  });

  it("lets the Worker, not the SPA fallback, answer every /api route", async () => {
    const response = await bundle.fetch("/api/conversations");

    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("unauthorized");
  });
});
