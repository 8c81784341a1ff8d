/**
 * The operator's page during an incident, in the browser: a provider outage
 * injected in the simulator and a team that reached its budget show on
 * `/ops`, and the webhook got one Slack-compatible alert for each. With
 * KILN_SCREENSHOT_DIR=docs the screenshot refreshes docs/ops-observability.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevSignInResponse } from "../../contract/api.ts";
import type { UsageResponse } from "../../contract/usage.ts";
import type { Recorder } from "../simulators/recorder.ts";
import { startWebhookReceiver } from "../simulators/webhook/server.ts";
import { screenshotPath } from "../support/browser.ts";
import { withBrowserStack } from "../support/browser-stack.ts";

let webhook: Recorder;

beforeAll(async () => {
  webhook = await startWebhookReceiver();
});
afterAll(async () => {
  await webhook?.close();
});

const kiln = withBrowserStack({
  name: "ops",
  simulatorDelays: { firstTokenDelayMs: 10, chunkDelayMs: 1 },
  vars: () => ({ ALERT_WEBHOOK_URL: `${webhook.url}/alerts` }),
});

async function request(path: string, init: { token: string; method?: string; body?: unknown }) {
  const response = await fetch(`${kiln.stack.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${init.token}`,
      "idempotency-key": crypto.randomUUID(),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, text: await response.text() };
}

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${kiln.stack.url}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  return ((await response.json()) as DevSignInResponse).access_token;
}

function alertTexts(): string[] {
  return webhook.received
    .filter((post) => post.path === "/alerts")
    .map((post) => (JSON.parse(post.body) as { text: string }).text);
}

describe("the ops page during an incident", () => {
  it("shows a provider outage and a team over budget, each alerted once", async () => {
    const token = await signIn("incident@example.com");
    // The OpenAI-protocol primary fails every call; the fallback serves.
    for (let turn = 0; turn < 4; turn++) {
      const message = `turn ${turn} [[sim fault=unavailable on=openai]]`;
      expect((await request("/api/chat", { token, body: { message } })).status).toBe(200);
    }
    const usage = JSON.parse((await request("/api/usage", { token })).text) as UsageResponse;
    const spent = usage.budgets.find((budget) => budget.name === "dollars_per_month")?.used ?? 0;
    const lowered = await request("/api/limits", {
      token,
      method: "PUT",
      body: { dollarsPerMonthMicroUsd: spent },
    });
    expect(lowered.status).toBe(200);

    const page = await kiln.browser.newPage();
    await page.goto(kiln.stack.url);
    await page.getByLabel("Email").fill("ops@example.com");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByLabel("Message").isVisible(), { timeout: 15_000 }).toBe(true);
    await page.goto(`${kiln.stack.url}/ops`);

    const providers = page.getByRole("region", { name: "Provider error rates" });
    await expect.poll(() => providers.textContent(), { timeout: 15_000 }).toContain("100%");
    const alerts = page.getByRole("region", { name: "Recent alerts" });
    expect(await alerts.textContent()).toContain("provider error spike");
    expect(await alerts.textContent()).toContain("budget overrun");
    const overBudget = page.getByRole("region", { name: "Teams over budget" });
    expect(await overBudget.textContent()).toContain("Dollars a month");

    await expect.poll(() => alertTexts().length).toBe(2);
    const [spike, overrun] = [
      alertTexts().filter((text) => text.includes("Provider error spike: simulator-openai")),
      alertTexts().filter((text) => text.includes("Budget overrun:")),
    ];
    expect(spike).toHaveLength(1);
    expect(overrun).toHaveLength(1);

    // The app scrolls inside its own layout, so a full-page shot stops at the
    // viewport: a tall viewport and the platform section alone.
    await page.setViewportSize({ width: 1440, height: 1800 });
    await page
      .locator(".obs-observability")
      .screenshot({ path: screenshotPath("ops-observability.png"), animations: "disabled" });
  });
});
