/**
 * Canned answers in the fenced file format of docs/code-format.md; the last
 * user message picks one by keyword. Every answer holds multibyte characters
 * (’ and ✨ are 3 bytes in UTF-8, 🚀 is 4 bytes and a surrogate pair in
 * UTF-16) so every test that streams one also exercises UTF-8 decoding.
 *
 * The React apps import only from "react" and relative files: the in-browser
 * preview bundles React 19 with the automatic JSX runtime and nothing else.
 */
import type { TemplateId } from "../../../contract/api.ts";
import {
  COUNTER_APP,
  COUNTER_EXPLANATION,
  COUNTER_STYLES,
  type CodeFile,
  HELLO_EXPLANATION,
  HELLO_STYLES,
  helloApp,
  LANDING_EXPLANATION,
  LANDING_HTML,
  LANDING_SCRIPT,
  LANDING_STYLES,
  TODO_APP,
  TODO_EXPLANATION,
  TODO_STYLES,
} from "./app-sources.ts";
import {
  NEXT_EXPLANATION,
  NEXT_LAYOUT,
  NEXT_PAGE,
  PYTHON_EXPLANATION,
  PYTHON_MAIN,
} from "./server-app-sources.ts";

export type AppKind = "counter" | "todo" | "landing" | "hello" | "python" | "nextjs";

/** Server templates run in a sandbox, not in the browser (contract/sandbox.ts). */
type ServerTemplate = "python" | "nextjs";

export type CannedAnswer = {
  kind: AppKind;
  template: TemplateId | ServerTemplate;
  text: string;
};

type App = {
  kind: AppKind;
  template: TemplateId | ServerTemplate;
  explanation: string;
  files: CodeFile[];
};

/** Checked in order; the first whose pattern matches the prompt wins. */
const KEYWORD_APPS: ReadonlyArray<App & { pattern: RegExp }> = [
  {
    kind: "python",
    pattern: /\bpython\b|\bpandas\b|\bmatplotlib\b/i,
    template: "python",
    explanation: PYTHON_EXPLANATION,
    files: [PYTHON_MAIN],
  },
  {
    kind: "nextjs",
    pattern: /\bnext\.?js\b/i,
    template: "nextjs",
    explanation: NEXT_EXPLANATION,
    files: [NEXT_PAGE, NEXT_LAYOUT],
  },
  {
    kind: "todo",
    pattern: /\bto-?dos?\b|\btasks?\b/i,
    template: "react",
    explanation: TODO_EXPLANATION,
    files: [TODO_APP, TODO_STYLES],
  },
  {
    kind: "landing",
    pattern: /\blanding\b|\bwebsites?\b|\bhomepages?\b|\bstatic\b/i,
    template: "static",
    explanation: LANDING_EXPLANATION,
    files: [LANDING_HTML, LANDING_STYLES, LANDING_SCRIPT],
  },
  {
    kind: "counter",
    pattern: /\bcounters?\b/i,
    template: "react",
    explanation: COUNTER_EXPLANATION,
    files: [COUNTER_APP, COUNTER_STYLES],
  },
];

export function chooseAnswer(prompt: string): CannedAnswer {
  const app = KEYWORD_APPS.find(({ pattern }) => pattern.test(prompt)) ?? {
    kind: "hello",
    template: "react",
    explanation: HELLO_EXPLANATION,
    files: [helloApp(JSON.stringify(summarize(prompt))), HELLO_STYLES],
  };

  return { kind: app.kind, template: app.template, text: formatAnswer(app) };
}

/** The explanation, then one fence per file; the first fence names the template. */
function formatAnswer(app: App): string {
  const fences = app.files.map((file, index) => {
    const template = index === 0 ? ` template=${app.template}` : "";
    return `\`\`\`${file.language} path=${file.path}${template}\n${file.code.trim()}\n\`\`\``;
  });

  return [app.explanation, ...fences].join("\n\n");
}

const SUMMARY_MAX_CHARACTERS = 80;

/**
 * A short, single-line excerpt of the prompt for the hello app to echo.
 * Collapsing whitespace keeps any line of the prompt from closing the fence;
 * cutting by code point keeps surrogate pairs whole.
 */
function summarize(prompt: string): string {
  const flat = prompt.replace(/[\p{Cc}\s]+/gu, " ").trim();
  const characters = Array.from(flat);

  if (characters.length === 0) {
    return "something new";
  }
  if (characters.length <= SUMMARY_MAX_CHARACTERS) {
    return flat;
  }
  return `${characters.slice(0, SUMMARY_MAX_CHARACTERS).join("").trimEnd()}…`;
}
