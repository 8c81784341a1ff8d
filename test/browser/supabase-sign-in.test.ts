/**
 * Signing in through a Supabase project with supabase-js, against the local
 * Supabase Auth simulator: password sign-in, an ES256 token the Worker
 * checks against the project's JWKS, a token refresh before expiry that the
 * API accepts, and sign-out.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type SupabaseAuthSimulator,
  startSupabaseAuthSimulator,
} from "../simulators/supabase-auth/server.ts";
import { withBrowserStack } from "../support/browser-stack.ts";

let auth: SupabaseAuthSimulator;

beforeAll(async () => {
  auth = await startSupabaseAuthSimulator();
  // Short-lived tokens: supabase-js refreshes when 90 s or less remain.
  await fetch(`${auth.url}/__control/lifetime`, {
    method: "POST",
    body: JSON.stringify({ seconds: 100 }),
  });
});
afterAll(async () => {
  await auth?.close();
});

const kiln = withBrowserStack({
  name: "supabase",
  simulatorDelays: { firstTokenDelayMs: 20, chunkDelayMs: 1 },
  vars: () => ({ SUPABASE_URL: auth.url, SUPABASE_ANON_KEY: "sb_publishable_local_simulator" }),
});

function storedToken(page: Page) {
  return page.evaluate(() => {
    const stored = JSON.parse(localStorage.getItem("kiln.session") ?? "null") as {
      accessToken?: string;
    } | null;
    return stored?.accessToken ?? null;
  });
}

describe("sign-in with supabase-js", () => {
  it("signs in with a password, survives a token refresh, and signs out", async () => {
    const page = await kiln.browser.newPage();
    await page.goto(kiln.stack.url);
    await page.getByLabel("Email").fill("sb-person@example.com");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect.poll(() => page.getByLabel("Message").isVisible(), { timeout: 15_000 }).toBe(true);

    const first = await storedToken(page);
    const header = JSON.parse(atob((first ?? "").split(".")[0] ?? "")) as { alg: string };
    expect(header.alg).toBe("ES256");

    await page.getByLabel("Message").fill("Build me a React counter");
    await page.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(() => page.getByTestId("assistant-message").last().getAttribute("data-status"), {
        timeout: 30_000,
      })
      .toBe("complete");

    // supabase-js's 30 s ticker refreshes the 100 s token; Kiln's store follows.
    await expect.poll(() => storedToken(page), { timeout: 60_000 }).not.toBe(first);
    await page.reload();
    await expect
      .poll(
        () =>
          page
            .getByRole("article", { name: "You asked" })
            .getByText("Build me a React counter")
            .isVisible(),
        { timeout: 20_000 },
      )
      .toBe(true);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByLabel("Password").isVisible()).toBe(true);
    expect(await storedToken(page)).toBeNull();
    const supabaseKeys = await page.evaluate(() =>
      Object.keys(localStorage).filter((key) => key.startsWith("sb-")),
    );
    expect(supabaseKeys).toEqual([]);
  });
});
