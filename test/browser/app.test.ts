/**
 * The main job, as a person does it: open Kiln, sign in, ask for a React
 * counter, watch the code arrive, see the preview run and respond to a
 * click, reload and find the conversation again. Real workerd, real
 * Postgres (PGlite), real Chromium; only the model is simulated.
 */
import { describe, expect, it } from "vitest";
import { screenshotPath } from "../support/browser.ts";
import { signIn, withBrowserStack } from "../support/browser-stack.ts";

const kiln = withBrowserStack({
  name: "app",
  simulatorDelays: { firstTokenDelayMs: 50, chunkDelayMs: 4 },
});

describe("Kiln in the browser", () => {
  it("turns a request into a running counter that survives a reload", async () => {
    const page = await kiln.browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await signIn(page, kiln.stack, "browser-test@example.com");
    await expect
      .poll(() =>
        page
          .getByText(/simulated/i)
          .first()
          .isVisible(),
      )
      .toBe(true);

    // Signed in, the message box has the focus: typing and Enter send.
    await expect
      .poll(() => page.getByLabel("Message").evaluate((box) => box === document.activeElement))
      .toBe(true);
    await page.keyboard.type("Build me a React counter");
    await page.keyboard.press("Enter");

    const answer = page.getByTestId("assistant-message").last();
    await expect
      .poll(() => answer.getAttribute("data-status"), { timeout: 30_000 })
      .toBe("complete");
    await expect.poll(() => page.getByRole("tab", { name: "src/App.tsx" }).isVisible()).toBe(true);

    const status = page.getByTestId("preview-status");
    await expect
      .poll(() => status.getAttribute("data-state"), { timeout: 30_000 })
      .toBe("rendered");

    const preview = page.frameLocator('iframe[title="Preview"]');
    const button = preview.getByRole("button", { name: /count/i });
    await expect.poll(() => button.textContent(), { timeout: 10_000 }).toMatch(/0/);
    await button.click();
    await expect.poll(() => button.textContent()).toMatch(/1/);

    await page.screenshot({ path: screenshotPath("kiln-browser-test.png") });

    await page.reload();
    await expect
      .poll(
        () =>
          page
            .getByRole("article", { name: "You asked" })
            .getByText("Build me a React counter")
            .isVisible(),
        { timeout: 15_000 },
      )
      .toBe(true);
    await expect
      .poll(() => page.getByTestId("assistant-message").last().getAttribute("data-status"))
      .toBe("complete");
    // Read back from history, the answer still says the simulator made it.
    expect(
      await page
        .getByTestId("assistant-message")
        .last()
        .getByText("simulated", { exact: true })
        .isVisible(),
    ).toBe(true);
    await expect
      .poll(() => status.getAttribute("data-state"), { timeout: 30_000 })
      .toBe("rendered");

    expect(pageErrors).toEqual([]);
  });

  it("runs the answer in a frame that loaded the preview runtime before the answer finished", async () => {
    const page = await kiln.browser.newPage();
    await signIn(page, kiln.stack, "warm-preview@example.com");

    // Before anything is asked, a hidden frame has loaded the runtime (its script ran).
    const standby = page.locator('iframe[title="Preview (standby)"]');
    await expect
      .poll(
        () =>
          page
            .frameLocator('iframe[title="Preview (standby)"]')
            .locator("body")
            .evaluate(() => document.readyState),
        { timeout: 15_000 },
      )
      .toBe("complete");
    await standby.evaluate((frame) => Object.assign(frame, { warmedBeforeAsking: true }));

    await page.getByLabel("Message").fill("Build me a React counter");
    await page.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(() => page.getByTestId("preview-status").getAttribute("data-state"), {
        timeout: 30_000,
      })
      .toBe("rendered");

    const shown = page.locator('iframe[title="Preview"]');
    expect(await shown.evaluate((frame) => "warmedBeforeAsking" in frame)).toBe(true);
    const button = page
      .frameLocator('iframe[title="Preview"]')
      .getByRole("button", { name: /count/i });
    await button.click();
    await expect.poll(() => button.textContent()).toMatch(/1/);
  });

  it("shows that it is loading before its JavaScript has arrived", async () => {
    const page = await kiln.browser.newPage();
    await page.route("**/assets/*.js", (route) => route.abort());
    await page.goto(kiln.stack.url);
    expect(await page.getByRole("status").textContent()).toBe("Loading Kiln…");
    await page.close();
  });
});
