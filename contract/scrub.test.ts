import { describe, expect, it } from "vitest";
import { FILTERED, scrub, scrubSentryEvent, scrubString } from "./scrub.ts";

describe("scrubbing error reports", () => {
  it.each([
    ["a bearer token", "sent Bearer abc.def-123", `sent Bearer ${FILTERED}`],
    ["a JWT", "token eyJhbGciOi.eyJzdWIiOiJ4.c2lnbmF0dXJl here", `token ${FILTERED} here`],
    ["an OpenAI key", "key sk-proj-abcdefghijklmnop1234", `key ${FILTERED}`],
    ["an Anthropic key", "key sk-ant-api03-abcdefghijklmn", `key ${FILTERED}`],
    ["an E2B key", "e2b_0123456789abcdef0123", FILTERED],
    ["a token in a query", "/cb?access_token=xyz&x=1", `/cb?access_token=${FILTERED}&x=1`],
  ])("masks %s inside a string", (_name, input, output) => {
    expect(scrubString(input)).toBe(output);
  });

  it("filters secret and content keys at any depth, and cuts query strings from URLs", () => {
    const scrubbed = scrub({
      extra: { prompt: "my idea", nested: [{ Authorization: "Basic x", ok: "fine" }] },
      request: { url: "https://kiln.example/api/chat?token=abc#frag" },
      headers: { cookie: "a=b", "x-api-key": "k", "user-agent": "ua" },
    });
    expect(scrubbed).toEqual({
      extra: { prompt: FILTERED, nested: [{ Authorization: FILTERED, ok: "fine" }] },
      request: { url: "https://kiln.example/api/chat" },
      headers: { cookie: FILTERED, "x-api-key": FILTERED, "user-agent": "ua" },
    });
  });

  it("drops a Sentry event's body, query string and cookies", () => {
    const event = scrubSentryEvent({
      request: { url: "https://k/x?a=1", data: "{}", query_string: "a=1", cookies: { s: "1" } },
    });
    expect(event).toEqual({ request: { url: "https://k/x" } });
  });
});
