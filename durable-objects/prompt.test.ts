import { describe, expect, it } from "vitest";
import { sandboxTemplateFor } from "../contract/sandbox.ts";
import {
  buildMessages,
  buildPrompt,
  fitHistory,
  renderAttachments,
  systemPrompt,
  templateCatalog,
  truncateChars,
} from "./prompt.ts";
import { SANDBOX_TEMPLATES } from "./sandboxes/templates.ts";

describe("truncateChars", () => {
  it.each([
    ["short", 10, "short"],
    ["abcdef", 3, "abc"],
    ["ab😀cd", 3, "ab"],
    ["ab😀cd", 4, "ab😀"],
    ["", 0, ""],
  ])("cuts %j at %i units to %j", (text, limit, expected) => {
    expect(truncateChars(text, limit)).toBe(expected);
  });
});

describe("fitHistory", () => {
  const turns = [
    { role: "user" as const, content: "a".repeat(10) },
    { role: "assistant" as const, content: "b".repeat(10) },
    { role: "user" as const, content: "c".repeat(10) },
    { role: "assistant" as const, content: "d".repeat(10) },
  ];

  it("keeps everything that fits", () => {
    expect(fitHistory(turns, 100)).toEqual(turns);
  });

  it("drops the oldest turns first and starts on a user turn", () => {
    expect(fitHistory(turns, 30).map((turn) => turn.content[0])).toEqual(["c", "d"]);
  });

  it("keeps nothing when even the newest turn is too large", () => {
    expect(fitHistory(turns, 5)).toEqual([]);
  });
});

describe("prompt", () => {
  it("asks for the documented code format and names the template", () => {
    const prompt = systemPrompt("react");
    expect(prompt).toContain("path=");
    expect(prompt).toContain("template=react");
    expect(prompt).toContain("src/App.tsx");
  });

  it("offers every template of the sandbox registry, each by a name the SPA routes to it", () => {
    const prompt = systemPrompt(undefined);
    for (const template of Object.values(SANDBOX_TEMPLATES)) {
      expect(prompt).toContain(`template=${template.prompt.declare}`);
      expect(prompt).toContain(template.prompt.guidance);
      expect(sandboxTemplateFor(template.prompt.declare)).toBe(template.id);
    }
    expect(prompt).toContain("`template=python`");
    expect(prompt).toContain("`template=nextjs`");
    expect(prompt).toContain("`template=react`");
    expect(prompt).toContain("`template=static`");
    expect(prompt).toContain("main.py");
    expect(prompt).toContain("app/page.tsx");
  });

  it("lists each template once, merging what the browser and a sandbox say about it", () => {
    const catalog = templateCatalog();
    expect([...catalog.keys()].sort()).toEqual(["nextjs", "python", "react", "static"]);
    expect(catalog.get("react")).toHaveLength(2);
  });

  it("with a template chosen, asks for that one only", () => {
    const prompt = systemPrompt("static");
    expect(prompt).toContain("`template=static`");
    expect(prompt).not.toContain("template=python");
  });

  it("puts attached code after the message, with its path and lines", () => {
    const messages = buildMessages({
      history: [],
      message: "why does this fail?",
      attachments: [{ path: "src/App.tsx", content: "const x = 1;", startLine: 4, endLine: 9 }],
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toMatch(/^why does this fail\?/);
    expect(messages[0]?.content).toContain("Attached: src/App.tsx lines 4-9");
    expect(messages[0]?.content).toContain("const x = 1;");
  });

  it("marks an attachment cut to fit the budget", () => {
    const text = renderAttachments([{ path: "big.txt", content: "x".repeat(200_000) }]);
    expect(text).toContain("(truncated)");
    expect(text.length).toBeLessThan(130_000);
  });
});

describe("buildPrompt", () => {
  const history = [
    { role: "user" as const, content: "u".repeat(40) },
    { role: "assistant" as const, content: "a".repeat(40) },
    { role: "user" as const, content: "v".repeat(10) },
    { role: "assistant" as const, content: "b".repeat(10) },
  ];

  it("keeps the newest message whole and reports the turns and attachments it left out", () => {
    const { messages, trimmed } = buildPrompt({
      history,
      message: "newest ".repeat(20),
      attachments: [
        { path: "a.ts", content: "x".repeat(30) },
        { path: "b.ts", content: "y😀y".repeat(10) },
        { path: "c.ts", content: "z" },
      ],
      budget: { historyChars: 30, attachmentChars: 45 },
    });

    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    const last = messages.at(-1)?.content ?? "";
    expect(last.startsWith("newest ".repeat(20))).toBe(true);
    expect(last).toContain("Attached: b.ts (truncated)");
    expect(last).not.toContain("\uFFFD");
    expect(last).not.toContain("c.ts");
    expect(trimmed).toEqual({
      historyTurnsDropped: 2,
      attachmentsTruncated: ["b.ts"],
      attachmentsDropped: ["c.ts"],
    });
  });

  it("reports nothing when everything fits", () => {
    const { trimmed } = buildPrompt({
      history,
      message: "hi",
      attachments: [],
      budget: { historyChars: 1_000, attachmentChars: 1_000 },
    });
    expect(trimmed).toEqual({
      historyTurnsDropped: 0,
      attachmentsTruncated: [],
      attachmentsDropped: [],
    });
  });
});
