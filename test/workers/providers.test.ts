/**
 * The provider adapters inside workerd, through the official SDKs, against
 * the simulator's byte-exact OpenAI and Anthropic streams (cases S1, S5, S6).
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Usage } from "../../contract/api.ts";
import { createAnthropicProvider } from "../../durable-objects/providers/anthropic.ts";
import { createOpenAIProvider } from "../../durable-objects/providers/openai.ts";
import { type ChatProvider, ProviderError } from "../../durable-objects/providers/types.ts";
import { simCalls } from "./gateway-helpers.ts";

const simulatorUrl = env.KILN_SIMULATOR_URL ?? "";

function openai(headers: Record<string, string> = {}) {
  return createOpenAIProvider({
    name: "openai",
    apiKey: "k",
    baseUrl: `${simulatorUrl}/v1`,
    headers,
  });
}

function anthropic(headers: Record<string, string> = {}) {
  return createAnthropicProvider({ apiKey: "k", baseUrl: simulatorUrl, headers });
}

async function collect(provider: ChatProvider, prompt = "a counter app") {
  let text = "";
  let usage: Usage | undefined;
  let finish: string | undefined;
  for await (const event of provider.stream({
    model: "m",
    system: "be brief",
    messages: [{ role: "user", content: prompt }],
    maxOutputTokens: 1024,
    signal: new AbortController().signal,
  })) {
    if (event.type === "text") text += event.text;
    else if (event.type === "usage") usage = event.usage;
    else if (event.type === "finish") finish = event.reason;
  }
  return { text, usage, finish };
}

describe.each([
  ["openai", openai],
  ["anthropic", anthropic],
])("%s adapter", (_, make) => {
  it("joins the streamed text and reports usage once", async () => {
    const { text, usage, finish } = await collect(make());
    expect(text).toContain("path=src/App.tsx");
    expect(text).not.toContain("\uFFFD");
    expect(usage?.inputTokens).toBeGreaterThan(0);
    expect(usage?.outputTokens).toBeGreaterThan(5);
    expect(finish).toBeTruthy();
  });

  it("gets the same text and usage wherever the bytes are split (S1)", async () => {
    const whole = await collect(make());
    for (const size of [1, 2, 3, 5, 7]) {
      const split = await collect(make({ "x-kiln-sim-split-bytes": String(size) }));
      expect(split.text).toBe(whole.text);
      expect(split.usage).toEqual(whole.usage);
    }
  });

  it("reads each answer to its end, so the next call reuses the connection", async () => {
    // Closing it instead would cost every answer a new connection (and TLS handshake) upstream.
    const tag = `reuse-${crypto.randomUUID()}`;
    const provider = make({ "x-kiln-sim-tag": tag });
    for (let index = 0; index < 3; index += 1)
      expect((await collect(provider)).finish).toBeTruthy();
    // The end of the body is read in the background once the answer has ended.
    await vi.waitFor(async () => {
      const calls = await simCalls(tag);
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map((call) => call.connection)).size).toBe(1);
    });
  });

  it("turns an unreachable provider into a retryable ProviderError", async () => {
    const provider =
      make === openai
        ? createOpenAIProvider({ name: "openai", apiKey: "k", baseUrl: "http://127.0.0.1:9/v1" })
        : createAnthropicProvider({ apiKey: "k", baseUrl: "http://127.0.0.1:9" });
    const failure = await collect(provider).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ kind: "network", retryable: true });
  });
});
