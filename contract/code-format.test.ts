import { describe, expect, it } from "vitest";
import { type CodeAnswer, parseCodeAnswer, splitCodeAnswer } from "./code-format.ts";

const SAMPLE = [
  "A counter with a button that adds one.",
  "",
  "```tsx path=src/App.tsx template=react",
  'import { useState } from "react";',
  "",
  "export default function App() {",
  "  const [count, setCount] = useState(0);",
  "  return <button onClick={() => setCount(count + 1)}>Count: {count}</button>;",
  "}",
  "```",
  "",
  "Run it with:",
  "",
  "```sh",
  "npm run dev",
  "```",
  "",
  "```css path=src/styles.css",
  "button { font-size: 2rem; }",
  "```",
  "",
].join("\n");

type Case = {
  name: string;
  text: string;
  fallback?: "react" | "static";
  expected: Partial<CodeAnswer>;
};

const cases: Case[] = [
  {
    name: "the documented sample",
    text: SAMPLE,
    expected: {
      template: "react",
      declaredTemplate: "react",
      files: [
        {
          path: "src/App.tsx",
          language: "tsx",
          content: [
            'import { useState } from "react";',
            "",
            "export default function App() {",
            "  const [count, setCount] = useState(0);",
            "  return <button onClick={() => setCount(count + 1)}>Count: {count}</button>;",
            "}",
            "",
          ].join("\n"),
          complete: true,
        },
        {
          path: "src/styles.css",
          language: "css",
          content: "button { font-size: 2rem; }\n",
          complete: true,
        },
      ],
      explanation:
        "A counter with a button that adds one.\n\n\nRun it with:\n\n```sh\nnpm run dev\n```",
    },
  },
  {
    name: "plain text without fences",
    text: "Just an answer.",
    expected: { explanation: "Just an answer.", files: [], template: "static" },
  },
  {
    name: "a fence without path stays in the explanation",
    text: "Example:\n```ts\nconst a = 1;\n```\n",
    expected: { files: [], explanation: "Example:\n```ts\nconst a = 1;\n```" },
  },
  {
    name: "the same path twice: the later block wins",
    text: "```js path=a.js\nold\n```\n```js path=a.js\nnew\n```\n```css path=b.css\nb\n```",
    expected: {
      files: [
        { path: "a.js", language: "js", content: "new\n", complete: true },
        { path: "b.css", language: "css", content: "b\n", complete: true },
      ],
    },
  },
  {
    name: "tilde fences, longer than three",
    text: "~~~~html path=index.html template=static\n<p>~~~</p>\n~~~~\n",
    expected: {
      template: "static",
      files: [{ path: "index.html", language: "html", content: "<p>~~~</p>\n", complete: true }],
    },
  },
  {
    name: "a shorter or different fence does not close the file",
    text: "````md path=README.md\n```\n~~~~\n````",
    expected: {
      files: [{ path: "README.md", language: "md", content: "```\n~~~~\n", complete: true }],
    },
  },
  {
    name: "quoted values with spaces and escaped quotes",
    text: '```tsx path="src/My App.tsx" template="react"\nx\n```\n```txt path="a \\"b\\".txt"\ny\n```',
    expected: {
      template: "react",
      files: [
        { path: "src/My App.tsx", language: "tsx", content: "x\n", complete: true },
        { path: 'a "b".txt', language: "txt", content: "y\n", complete: true },
      ],
    },
  },
  {
    name: "an unclosed fence is a file still streaming",
    text: "Here:\n```tsx path=src/App.tsx\nexport default 1;\nexport con",
    expected: {
      explanation: "Here:",
      files: [
        {
          path: "src/App.tsx",
          language: "tsx",
          content: "export default 1;\nexport con",
          complete: false,
        },
      ],
    },
  },
  {
    name: "a file fence nested in a longer non-file fence is not a file",
    text: "````text\n```tsx path=src/App.tsx\nx\n```\n````\n",
    expected: { files: [], explanation: "````text\n```tsx path=src/App.tsx\nx\n```\n````" },
  },
  {
    name: "path without a language infers it from the extension",
    text: "``` path=./src/util.ts\nexport {};\n```",
    expected: {
      files: [
        { path: "src/util.ts", language: "typescript", content: "export {};\n", complete: true },
      ],
    },
  },
  {
    name: "the first template seen wins",
    text: "```html path=index.html template=static\n<p/>\n```\n```tsx path=src/App.tsx template=react\nx\n```",
    expected: { template: "static", declaredTemplate: "static" },
  },
  {
    name: "without a template the request's template applies",
    text: "```tsx path=src/App.tsx\nx\n```",
    fallback: "static",
    expected: { template: "static", declaredTemplate: null },
  },
  {
    name: "without any template a .tsx file means react",
    text: "```tsx path=src/App.tsx\nx\n```",
    expected: { template: "react" },
  },
  {
    name: "an unknown template is reported and falls back",
    text: "```js path=server.js template=node\nx\n```",
    expected: { template: "static", declaredTemplate: "node" },
  },
  {
    name: "CRLF line endings",
    text: "Hi\r\n```css path=a.css\r\nb{}\r\n```\r\n",
    expected: {
      explanation: "Hi",
      files: [{ path: "a.css", language: "css", content: "b{}\n", complete: true }],
    },
  },
  {
    name: "an indented fence strips its indentation from content",
    text: "  ```js path=a.js\n    x\n  y\n  ```",
    expected: { files: [{ path: "a.js", language: "js", content: "  x\ny\n", complete: true }] },
  },
  {
    name: "a backtick info string containing a backtick is not a fence",
    text: "```js path=a`b.js\nx\n```",
    expected: { files: [] },
  },
];

describe("parseCodeAnswer", () => {
  it.each(cases)("$name", ({ text, fallback, expected }) => {
    expect(parseCodeAnswer(text, fallback)).toMatchObject(expected);
  });

  it("never throws on any prefix and files only grow", () => {
    const final = parseCodeAnswer(SAMPLE);
    let previous = parseCodeAnswer("");

    for (let end = 1; end <= SAMPLE.length; end += 1) {
      const current = parseCodeAnswer(SAMPLE.slice(0, end));

      expect(current.files.length).toBeGreaterThanOrEqual(previous.files.length);
      current.files.forEach((file, index) => {
        const finalFile = final.files[index];
        expect(file.path).toBe(finalFile?.path);
        expect(finalFile?.content.startsWith(file.content)).toBe(true);
        const before = previous.files[index];
        if (before) expect(file.content.startsWith(before.content)).toBe(true);
        if (before?.complete) expect(file.complete).toBe(true);
      });

      previous = current;
    }

    expect(previous).toEqual(final);
  });

  it("closes a file whose closing fence ends the text without a newline", () => {
    const answer = parseCodeAnswer("```css path=a.css\nb{}\n```");
    expect(answer.files).toEqual([
      { path: "a.css", language: "css", content: "b{}\n", complete: true },
    ]);
  });

  it("holds back a fence line until its info string has arrived", () => {
    expect(parseCodeAnswer("Intro\n```tsx pa").explanation).toBe("Intro");
    expect(parseCodeAnswer("Intro\n```tsx pa").files).toEqual([]);
  });
});

describe("splitCodeAnswer", () => {
  it("keeps prose and files in reading order", () => {
    const kinds = splitCodeAnswer(SAMPLE).map((segment) =>
      segment.kind === "file" ? segment.file.path : "text",
    );
    expect(kinds).toEqual(["text", "src/App.tsx", "text", "src/styles.css", "text"]);
  });
});
