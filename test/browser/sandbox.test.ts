/**
 * Sandboxes as a person meets them, through the E2B simulator (which
 * `startStack` runs when no E2B_API_KEY is set): a Python run shows its
 * steps, logs and results; a Next.js app goes from steps to a live preview;
 * with the operator's kill switch on, a React app still previews in the
 * browser and the panel says what happened.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshotPath } from "../support/browser.ts";
import { signIn, withBrowserStack } from "../support/browser-stack.ts";

const kiln = withBrowserStack({
  name: "sandbox",
  simulatorDelays: { firstTokenDelayMs: 20, chunkDelayMs: 2 },
});

async function ask(page: Page, message: string) {
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  await expect
    .poll(() => page.getByTestId("assistant-message").last().getAttribute("data-status"), {
      timeout: 30_000,
    })
    .toBe("complete");
}

async function setKillSwitch(disabled: boolean) {
  const signIn = await fetch(`${kiln.stack.url}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ops@example.com" }),
  });
  const { access_token } = (await signIn.json()) as { access_token: string };
  const response = await fetch(`${kiln.stack.url}/api/sandbox/settings`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ disabled }),
  });
  expect(response.status).toBe(200);
}

describe("sandboxes in the browser", () => {
  it("runs Python with visible steps, logs and results", async () => {
    const page = await kiln.browser.newPage();
    await signIn(page, kiln.stack, "python-sandbox@example.com");
    await ask(page, "Write a Python script with pandas that charts monthly sales");

    const panel = page.getByTestId("sandbox-panel");
    await panel.getByRole("button", { name: "Run in sandbox" }).click();
    await expect.poll(() => panel.getAttribute("data-phase"), { timeout: 30_000 }).toBe("finished");

    for (const step of ["create", "write", "run"]) {
      expect(await page.getByTestId(`sandbox-step-${step}`).getAttribute("data-status")).toBe(
        "done",
      );
    }
    const results = page.getByTestId("sandbox-results");
    expect(await results.textContent()).toContain("Monthly sales: 2 months, 255 in total");
    expect(await results.textContent()).toContain("February is still provisional");
    expect(await results.locator("img").count()).toBe(1);
    const table = page.frameLocator('iframe[title="Result 2"]');
    await expect.poll(() => table.getByRole("cell", { name: "Feb" }).isVisible()).toBe(true);
    expect(await page.getByTestId("sandbox-logs").textContent()).toContain("stdout Monthly sales");

    await page.screenshot({ path: screenshotPath("kiln-sandbox-python.png"), fullPage: true });
  });

  it("starts a Next.js app and shows it only once its port answers", async () => {
    const page = await kiln.browser.newPage();
    await signIn(page, kiln.stack, "next-sandbox@example.com");
    await ask(page, "Build a Next.js page with a tip of the day");

    const panel = page.getByTestId("sandbox-panel");
    await panel.getByRole("button", { name: "Run in sandbox" }).click();
    await expect.poll(() => panel.getAttribute("data-phase"), { timeout: 30_000 }).toBe("ready");

    for (const step of ["create", "write", "install", "start", "ready"]) {
      expect(await page.getByTestId(`sandbox-step-${step}`).getAttribute("data-status")).toBe(
        "done",
      );
    }
    expect(await page.getByTestId("sandbox-expiry").textContent()).toMatch(/expires \d/);
    const logs = await page.getByTestId("sandbox-logs").textContent();
    expect(logs).toContain("install added 87 packages");
    expect(logs).toContain("Next.js");

    const preview = page.frameLocator('iframe[title="Sandbox preview"]');
    await expect
      .poll(() => preview.getByRole("heading", { name: "Hello from Next.js" }).isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);
    // After ready the panel keeps following the app's output: the preview's own request shows.
    await expect
      .poll(() => page.getByTestId("sandbox-logs").textContent(), { timeout: 15_000 })
      .toContain("runtime GET / 200");
    await page.screenshot({ path: screenshotPath("kiln-sandbox-next.png"), fullPage: true });

    await panel.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => panel.getAttribute("data-phase")).toBe("stopped");
    expect(await panel.getByRole("button", { name: "Recreate sandbox" }).isVisible()).toBe(true);
  });

  it("with E2B switched off, a React app still previews in the browser and the panel says why", async () => {
    await setKillSwitch(true);
    try {
      const page = await kiln.browser.newPage();
      await signIn(page, kiln.stack, "switched-off@example.com");
      await ask(page, "Build me a React counter");

      await page.getByRole("button", { name: "Run in sandbox" }).click();
      const fallback = page.getByTestId("sandbox-fallback");
      await expect.poll(() => fallback.isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await fallback.getAttribute("data-reason")).toBe("switched_off");
      expect(await fallback.textContent()).toContain("The in-browser preview still runs this app.");

      await expect
        .poll(() => page.getByTestId("preview-status").getAttribute("data-state"), {
          timeout: 30_000,
        })
        .toBe("rendered");
      const button = page
        .frameLocator('iframe[title="Preview"]')
        .getByRole("button", { name: /count/i });
      await button.click();
      await expect.poll(() => button.textContent()).toMatch(/1/);
      await page.screenshot({
        path: screenshotPath("kiln-sandbox-switched-off.png"),
        fullPage: true,
      });
    } finally {
      await setKillSwitch(false);
    }
  });
});
