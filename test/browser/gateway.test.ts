/**
 * The gateway as people meet it: an operator switches the primary provider
 * off on the ops page and the next answer comes from the fallback; a stream
 * killed mid-answer shows an error with a Retry button, never a truncated
 * "answer", and Retry gets a whole one. The simulator plays both providers.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signIn, withBrowserStack } from "../support/browser-stack.ts";

const kiln = withBrowserStack({
  name: "gateway",
  simulatorDelays: { firstTokenDelayMs: 50, chunkDelayMs: 4 },
});

async function ask(page: Page, message: string) {
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
}

async function setPrimaryEnabled(page: Page, enabled: boolean) {
  await page.getByRole("link", { name: "Ops" }).click();
  const toggle = page.getByLabel("Provider simulator-openai enabled");
  await expect.poll(() => toggle.isVisible(), { timeout: 15_000 }).toBe(true);
  await toggle.setChecked(enabled);
  await page.getByRole("button", { name: "Save routing" }).click();
  await expect.poll(() => page.getByText(/Saved version \d+/).isVisible()).toBe(true);
}

describe("the gateway in the browser", () => {
  it("moves the next answer to the fallback when an operator disables the primary", async () => {
    const page = await kiln.browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await signIn(page, kiln.stack, "ops@example.com");

    await setPrimaryEnabled(page, false);
    await page.getByRole("link", { name: "Back to chat" }).click();
    await expect.poll(() => page.getByLabel("Message").isVisible(), { timeout: 15_000 }).toBe(true);

    await ask(page, "Build me a React counter");
    const answer = page.getByTestId("assistant-message").last();
    await expect
      .poll(() => answer.getAttribute("data-status"), { timeout: 30_000 })
      .toBe("complete");
    const footer = answer.locator(".message-footer");
    await expect.poll(() => footer.textContent()).toContain("simulator-anthropic");
    expect(await footer.textContent()).toContain("fallback");

    // Put the primary back for whoever runs next.
    await setPrimaryEnabled(page, true);
    expect(pageErrors).toEqual([]);
  });

  it("shows a killed stream as an error with Retry, and Retry gets a whole answer", async () => {
    const page = await kiln.browser.newPage();
    await signIn(page, kiln.stack, "browser-faults@example.com");

    await ask(page, "Build me a React counter [[sim fault=cut times=1 tag=browser-cut]]");
    const answer = page.getByTestId("assistant-message").last();
    await expect.poll(() => answer.getAttribute("data-status"), { timeout: 30_000 }).toBe("error");
    await expect.poll(() => answer.getByText("The answer is incomplete").isVisible()).toBe(true);
    const retry = answer.getByRole("button", { name: "Retry" });
    expect(await retry.isVisible()).toBe(true);

    await retry.click();
    const retried = page.getByTestId("assistant-message").last();
    await expect
      .poll(() => retried.getAttribute("data-status"), { timeout: 30_000 })
      .toBe("complete");
    expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
  });
});
