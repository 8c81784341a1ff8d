import { describe, expect, it } from "vitest";
import { fitText, MAX_SAVED_MESSAGE_BYTES, savedUserContent } from "./saved-size.ts";

const bytesOf = (text: string) => new TextEncoder().encode(JSON.stringify(text)).byteLength;

describe("fitText", () => {
  it("keeps a text that fits as it is", () => {
    expect(fitText("a short answer", 100)).toBe("a short answer");
  });

  it.each([
    ["ASCII", "x".repeat(5_000)],
    ["escapes", '"\n\\'.repeat(2_000)],
    ["three-byte characters", "é漢".repeat(2_000)],
    ["surrogate pairs", "🚀".repeat(2_000)],
  ])("cuts %s to a start whose JSON fits", (_, text) => {
    const kept = fitText(text, 1_000);
    expect(bytesOf(kept)).toBeLessThanOrEqual(1_000);
    expect(bytesOf(kept)).toBeGreaterThan(900);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept).not.toMatch(/[\ud800-\udbff]$/);
  });

  it("gives an empty text when not even two quotes fit, instead of looping", () => {
    expect(fitText("abc", 0)).toBe("");
    expect(fitText("abc", 1)).toBe("");
    // At once, not one character per round: a 200,000-character attachment with no room left.
    expect(fitText("x".repeat(200_000), 0)).toBe("");
  });
});

describe("savedUserContent", () => {
  const attachment = (content: string) => ({ path: "src/App.tsx", content });

  it("keeps a message that fits whole and unmarked", () => {
    const saved = savedUserContent("make a counter", [attachment("export {}")]);
    expect(saved).toEqual({ content: "make a counter", attachments: [attachment("export {}")] });
  });

  it("cuts the attachments to what is left after the text, and marks the message", () => {
    const big = "x".repeat(80_000);
    const saved = savedUserContent("explain these", [attachment(big), attachment(big)]);
    expect(saved.contentTruncated).toBe(true);
    expect(saved.content).toBe("explain these");
    expect(saved.attachments?.[0]?.content).toBe(big);
    expect(big.startsWith(saved.attachments?.[1]?.content ?? "?")).toBe(true);
    expect(saved.attachments?.[1]?.content.length).toBeLessThan(big.length);
    const bytes = new TextEncoder().encode(
      JSON.stringify([saved.content, ...(saved.attachments ?? [])]),
    ).byteLength;
    expect(bytes).toBeLessThanOrEqual(MAX_SAVED_MESSAGE_BYTES + 200);
  });
});
