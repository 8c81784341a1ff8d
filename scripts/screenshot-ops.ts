/**
 * Takes docs/ops-observability.png: starts the local stack, sends some chat
 * traffic (a few turns meet a 503 from the OpenAI-protocol primary and are
 * served by the fallback, so an error rate and an alert show), signs in as the development operator
 * and photographs the ops page in Debian's Chromium.
 *
 *   npx tsx scripts/screenshot-ops.ts [path, default /ops]
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "../local/stack.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { freePort } from "../test/support/ports.ts";

const path = process.argv[2] ?? "/ops";
const output = join(import.meta.dirname, "..", "docs", "ops-observability.png");

const stack = await startStack({
  port: await freePort(),
  stateDir: await mkdtemp(join(tmpdir(), "kiln-screenshot-")),
  inMemoryDatabase: true,
  simulatorDelays: { firstTokenDelayMs: 20, chunkDelayMs: 1 },
});

try {
  for (const [email, turns, failures] of [
    ["ana@example.com", 4, 0],
    ["bo@example.com", 1, 3],
    ["cy@example.com", 3, 1],
  ] as const) {
    const token = await signIn(email);
    for (let turn = 0; turn < turns; turn++) await chat(token, "Build me a React counter");
    for (let turn = 0; turn < failures; turn++) {
      await chat(token, "Build me a React counter [[sim fault=unavailable on=openai]]");
    }
  }

  const browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(stack.url);
  await page.getByLabel("Email").fill("ops@example.com");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Message").waitFor({ timeout: 20_000 });
  await page.goto(`${stack.url}${path}`);
  await page.getByRole("region", { name: "Provider error rates" }).waitFor({ timeout: 20_000 });
  await page
    .getByRole("region", { name: "Recent alerts" })
    .getByRole("listitem")
    .first()
    .waitFor({ timeout: 20_000 });
  // The app scrolls inside its own grid, so a tall viewport shows the whole page.
  await page.setViewportSize({ width: 1440, height: 2000 });
  await page.screenshot({ path: output });
  await browser.close();
  console.log(`saved ${output}`);
} finally {
  await stack.stop();
}

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${stack.url}/api/dev/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function chat(token: string, message: string) {
  const response = await fetch(`${stack.url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ message }),
  });
  await response.text();
}
