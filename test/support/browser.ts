/**
 * Debian's Chromium driven by playwright-core. Nothing downloads a browser:
 * the test needs /usr/bin/chromium (`apt-get install chromium`; `.ci/run`
 * installs it) and fails with that instruction when it is missing.
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: run \`apt-get install chromium\`.`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), "kiln-chromium-"));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Where a test saves a screenshot worth keeping: `KILN_SCREENSHOT_DIR` when set
 * (`KILN_SCREENSHOT_DIR=docs` refreshes the ones in docs/), else the temp dir,
 * so an ordinary run leaves the working tree as it was.
 */
export function screenshotPath(name: string): string {
  return join(process.env.KILN_SCREENSHOT_DIR || tmpdir(), name);
}
