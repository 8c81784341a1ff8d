/**
 * What every browser test file starts with: the whole local stack on an
 * in-memory database, and Debian's Chromium, for the file's tests; both
 * stopped after them. Call `withBrowserStack` at the top of the file: it
 * registers the hooks and returns an object whose fields are set once the
 * stack is up.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { type Stack, type StackOptions, startStack } from "../../local/stack.ts";
import { launchBrowser } from "./browser.ts";
import { freePort } from "./ports.ts";

export type BrowserStack = {
  stack: Stack;
  /** The first browser; `browsers` has them all (separate profiles, separate people). */
  browser: BrowserContext;
  browsers: BrowserContext[];
};

export function withBrowserStack(options: {
  /** Names the temporary state folder. */
  name: string;
  simulatorDelays: NonNullable<StackOptions["simulatorDelays"]>;
  /** Worker variables; a function when they come from a server the file starts first. */
  vars?: () => Record<string, string>;
  /** Separate browser profiles to launch (default 1). */
  browsers?: number;
}): BrowserStack {
  const started = {} as BrowserStack;

  beforeAll(async () => {
    started.stack = await startStack({
      port: await freePort(),
      stateDir: await mkdtemp(join(tmpdir(), `kiln-browser-${options.name}-`)),
      inMemoryDatabase: true,
      simulatorDelays: options.simulatorDelays,
      ...(options.vars ? { vars: options.vars() } : {}),
    });
    started.browsers = [];
    for (let index = 0; index < (options.browsers ?? 1); index += 1) {
      started.browsers.push(await launchBrowser());
    }
    [started.browser] = started.browsers as [BrowserContext];
  });

  afterAll(async () => {
    for (const browser of started.browsers ?? []) await browser.close();
    await started.stack?.stop();
  });

  return started;
}

/**
 * Development sign-in as `email`, forgetting whoever this browser profile
 * signed in as before; resolves once the workspace's message box shows.
 */
export async function signIn(page: Page, stack: Stack, email: string): Promise<void> {
  await page.goto(stack.url);
  await page.evaluate("localStorage.clear(); sessionStorage.clear()");
  await page.reload();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.getByLabel("Message").isVisible(), { timeout: 15_000 }).toBe(true);
}
