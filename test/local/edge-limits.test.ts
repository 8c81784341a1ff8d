/**
 * A stack started with its own edge limits (what `npm run bench` does, so
 * that its thousands of requests from one user measure Kiln rather than
 * 429s) really runs with them: the Workers rate-limiting binding takes its
 * figures only from the configuration file, which the stack then writes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../../local/stack.ts";
import { freePort } from "../support/ports.ts";

let stack: Stack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "kiln-edge-limits-"));
  stack = await startStack({
    port: await freePort(),
    stateDir,
    inMemoryDatabase: true,
    edgeLimits: { user: { limit: 3, windowSeconds: 60 } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("a stack with its own edge limits", () => {
  it("refuses the request after the configured per-user limit, naming the limit", async () => {
    const signIn = await fetch(`${stack.url}/api/dev/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "edge-limits@example.com" }),
    });
    const { access_token: token } = (await signIn.json()) as { access_token: string };

    const statuses: number[] = [];
    let refusal: { error: { code: string; limit: { scope: string; limit: number } } } | undefined;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await fetch(`${stack.url}/api/limits`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(response.status);
      if (response.status === 429) refusal = await response.json();
      else await response.arrayBuffer();
    }

    // The default per-user limit is 120 a minute: 5 requests pass it.
    expect(statuses.slice(0, 3).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(refusal?.error.code).toBe("rate_limited");
    expect(refusal?.error.limit).toMatchObject({ scope: "user", limit: 3 });
  });
});
