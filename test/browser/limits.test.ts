/**
 * A team that has used up its budget, as a person meets it in the browser:
 * the answer says which limit, the figures and until when; Send is disabled
 * with a countdown; the usage page shows the budget and the usage so far.
 */
import { describe, expect, it } from "vitest";
import type { DevSignInResponse } from "../../contract/api.ts";
import { formatMicroUsd } from "../../contract/limits.ts";
import type { UsageResponse } from "../../contract/usage.ts";
import { withBrowserStack } from "../support/browser-stack.ts";

const kiln = withBrowserStack({
  name: "limits",
  simulatorDelays: { firstTokenDelayMs: 10, chunkDelayMs: 1 },
});

async function api(path: string, init: { token?: string; method?: string; body?: unknown }) {
  const response = await fetch(`${kiln.stack.url}${path}`, {
    method: init.method ?? "POST",
    headers: {
      "content-type": "application/json",
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

describe("limits in the browser", () => {
  it("shows why a team over budget cannot send, until when, and its usage", async () => {
    const email = "over-budget@example.com";
    const session = (await api("/api/dev/sign-in", { body: { email } })) as DevSignInResponse;
    const token = session.access_token;

    const page = await kiln.browser.newPage();
    await page.goto(kiln.stack.url);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByLabel("Message").isVisible(), { timeout: 15_000 }).toBe(true);

    await page.getByLabel("Message").fill("Build me a React counter");
    await expect
      .poll(() => page.getByTestId("next-estimate").textContent())
      .toMatch(/tokens in, up to 8\.2K out on kiln-simulated: at most \$0\.01/);
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.getByTestId("assistant-message").last();
    await expect
      .poll(() => answer.getAttribute("data-status"), { timeout: 30_000 })
      .toBe("complete");

    // An admin lowers the month's budget to exactly what has been spent.
    const usage = (await api("/api/usage", { token, method: "GET" })) as UsageResponse;
    const spent = usage.budgets.find((budget) => budget.name === "dollars_per_month")?.used ?? 0;
    expect(spent).toBeGreaterThan(0);
    await api("/api/limits", { token, method: "PUT", body: { dollarsPerMonthMicroUsd: spent } });
    const budget = formatMicroUsd(spent);

    await page.getByLabel("Message").fill("Now add a reset button");
    await page.getByRole("button", { name: "Send" }).click();
    const notice = page.getByRole("alert").last();
    await expect
      .poll(() => notice.textContent(), { timeout: 15_000 })
      .toContain(
        `Your team has used ${budget} of ${budget} this month's budget; $0.00 left. It resets at 00:00:00 UTC`,
      );
    expect(await notice.textContent()).toContain("ask a team admin to raise the budget");

    await expect
      .poll(() => page.getByTestId("budget-banner").textContent(), { timeout: 15_000 })
      .toContain("Your team has used all of this month's budget.");

    const send = page.getByRole("button", { name: /^Send in / });
    await expect.poll(() => send.isVisible()).toBe(true);
    expect(await send.isDisabled()).toBe(true);

    await page.getByRole("link", { name: "Usage", exact: true }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Usage" }).isVisible()).toBe(true);
    const dollars = page.getByTestId("budget-dollars_per_month");
    await expect.poll(() => dollars.textContent()).toContain(`of ${budget}`);
    expect(await page.getByTestId("budget-dollars_per_month").textContent()).toContain(
      "Budget used up",
    );
    await expect.poll(() => page.locator(".usage-chart canvas").count()).toBeGreaterThan(0);
    const byModel = page.getByRole("region", { name: "By model" });
    expect(await byModel.textContent()).toContain("kiln-simulated");
  });
});
