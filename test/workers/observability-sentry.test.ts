/**
 * What an error report carries out of Kiln, read from the serialised
 * envelope the local Sentry endpoint received: never an authorization
 * header, a cookie, an API key, an access token or a prompt, even when all
 * of them were in the failing request; always the tags that tie the report
 * to a release, an environment, a team and a request.
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createErrorReporter } from "../../worker/observability/sentry.ts";
import { api, BASE, signIn } from "./helpers.ts";
import { randomHex, receivedAt, sentryUrl } from "./observability-support.ts";

type Envelope = { body: string; url: string };

async function envelopesContaining(marker: string): Promise<Envelope[]> {
  const received = await receivedAt(sentryUrl(), "/api/1/envelope/");
  return received.filter((envelope) => envelope.body.includes(marker));
}

function plantedSecrets() {
  return {
    accessToken: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI${randomHex(12)}.${randomHex(16)}`,
    cookie: `sb-session=${randomHex(16)}`,
    apiKey: `sk-proj-${randomHex(20)}`,
    queryToken: randomHex(18),
    prompt: `Write my secret plan ${randomHex(8)}`,
  };
}

function expectNoSecrets(text: string, secrets: ReturnType<typeof plantedSecrets>) {
  expect(text).not.toContain(secrets.accessToken);
  expect(text).not.toContain(secrets.cookie);
  expect(text).not.toContain(secrets.cookie.split("=")[1]);
  expect(text).not.toContain(secrets.apiKey);
  expect(text).not.toContain(secrets.queryToken);
  expect(text).not.toContain(secrets.prompt);
  expect(text.toLowerCase()).not.toContain("authorization");
  expect(text.toLowerCase()).not.toContain("cookie");
}

describe("Sentry reports leak nothing", () => {
  it("drops headers, cookies, query and body of the failing request, and masks secrets in messages", async () => {
    const secrets = plantedSecrets();
    const requestId = `req-${randomHex(8)}`;
    const request = new Request(`${BASE}/api/chat?access_token=${secrets.queryToken}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${secrets.accessToken}`,
        cookie: secrets.cookie,
        "x-api-key": secrets.apiKey,
        "user-agent": "kiln-test",
        "content-type": "application/json",
      },
      body: JSON.stringify({ message: secrets.prompt }),
    });
    const pending: Promise<unknown>[] = [];

    const reporter = createErrorReporter({
      env,
      component: "worker",
      request,
      waitUntil: (work) => pending.push(work),
      tags: { requestId, traceId: randomHex(16), teamId: "team-under-test", route: "/api/chat" },
    });
    if (!reporter) throw new Error("SENTRY_DSN is not set for the workers tests");
    // A careless error message that quotes a key and a token, and extras with a prompt.
    await reporter.capture(
      new Error(`upstream refused key ${secrets.apiKey} for Bearer ${secrets.accessToken}`),
      { prompt: secrets.prompt, note: `retry with ?token=${secrets.queryToken}` },
    );
    await Promise.all(pending);

    await vi.waitFor(async () => {
      expect(await envelopesContaining(requestId)).toHaveLength(1);
    });
    const [envelope] = await envelopesContaining(requestId);
    if (!envelope) throw new Error("no envelope");

    expectNoSecrets(envelope.body, secrets);
    // What a report must say to be useful.
    expect(envelope.body).toContain('"release":"kiln@');
    expect(envelope.body).toContain('"environment":"test"');
    expect(envelope.body).toContain('"teamId":"team-under-test"');
    expect(envelope.body).toContain('"user-agent":"kiln-test"');
    expect(envelope.body).toContain("upstream refused key [Filtered]");
    expect(envelope.body).toContain(`${BASE}/api/chat"`);
  });

  it("reports a misconfigured provider from the team object, tagged with team and request", async () => {
    const session = await signIn();
    const secrets = plantedSecrets();
    const response = await api("/api/chat", {
      token: session.access_token,
      body: { message: `${secrets.prompt} [[sim fault=unauthorized]]` },
      headers: { cookie: secrets.cookie, "x-api-key": secrets.apiKey },
    });
    expect(response.status).toBe(502);
    const requestId = response.headers.get("x-request-id") ?? "";

    await vi.waitFor(async () => {
      expect(await envelopesContaining(requestId)).toHaveLength(1);
    });
    const [envelope] = await envelopesContaining(requestId);
    if (!envelope) throw new Error("no envelope");

    expectNoSecrets(envelope.body, secrets);
    expect(envelope.body).not.toContain(session.access_token);
    expect(envelope.body).toContain(`"teamId":"${session.team_id}"`);
    expect(envelope.body).toContain('"component":"team-gateway"');
  });
});
