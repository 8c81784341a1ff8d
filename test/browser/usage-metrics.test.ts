/**
 * The team's rolling figures on `/usage`, as a person sees them after a few
 * turns: a live answer, the same prompt again from the cache, one that
 * failed everywhere and a sandbox run. The tiles show the range's totals
 * and every figure has its chart. With KILN_SCREENSHOT_DIR=docs the
 * screenshot refreshes docs/usage-metrics.png.
 */
import { describe, expect, it } from "vitest";
import type { DevSignInResponse } from "../../contract/api.ts";
import { screenshotPath } from "../support/browser.ts";
import { withBrowserStack } from "../support/browser-stack.ts";

const kiln = withBrowserStack({
  name: "metrics",
  simulatorDelays: { firstTokenDelayMs: 10, chunkDelayMs: 1 },
});

/** A request the way the SPA sends it; answers its status and its whole body (SSE included). */
async function send(path: string, token: string, body: unknown) {
  const response = await fetch(`${kiln.stack.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "idempotency-key": crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const CHARTS = [
  "Requests and errors",
  "Errors by kind",
  "Latency",
  "Time to first token",
  "Cache hit rate",
  "Tokens",
  "Cost",
  "Sandboxes",
];

describe("team metrics on the usage page", () => {
  it("charts requests, errors by kind, latency, cache hits, tokens, cost and sandboxes", async () => {
    const email = "metrics@example.com";
    const signIn = await fetch(`${kiln.stack.url}/api/dev/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    const { access_token: token } = (await signIn.json()) as DevSignInResponse;

    expect((await send("/api/chat", token, { message: "a pomodoro timer" })).status).toBe(200);
    const cached = await send("/api/chat", token, { message: "a pomodoro timer" });
    expect(cached.text).toContain('"cached":true');
    const failed = await send("/api/chat", token, { message: "hi [[sim fault=unavailable]]" });
    expect(failed.status).toBe(503);
    const run = await send("/api/sandbox", token, {
      template: "vite-react",
      files: [{ path: "src/App.tsx", content: "export default () => <h1>Hi</h1>;\n" }],
    });
    expect(run.text).toContain('"type":"ready"');

    const page = await kiln.browser.newPage();
    await page.goto(kiln.stack.url);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByLabel("Message").isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByRole("link", { name: "Usage", exact: true }).click();

    const panel = page.getByRole("region", { name: "Team metrics" });
    await expect.poll(() => panel.isVisible(), { timeout: 15_000 }).toBe(true);
    const tile = (label: string) =>
      panel.locator(".metrics-tile", { hasText: label }).locator("dd");
    expect(await tile("Requests").textContent()).toBe("3");
    expect(await tile("Errors").textContent()).toBe("1 (33%)");
    expect(await tile("Cache hit rate").textContent()).toBe("33%");
    expect(await tile("Cost").textContent()).toMatch(/^\$0\.000[1-9][0-9]?$/);
    expect(await tile("Sandboxes").textContent()).toBe("1 (0 failed)");

    for (const title of CHARTS) {
      const chart = panel.locator(".metrics-chart", { hasText: title });
      await expect.poll(() => chart.locator("canvas").count()).toBe(1);
    }
    expect(
      await panel.locator(".metrics-chart", { hasText: "Errors by kind" }).textContent(),
    ).toContain("unavailable");

    await expect.poll(() => page.locator(".usage-chart canvas").count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath("usage-metrics.png"), fullPage: true });
  });
});
