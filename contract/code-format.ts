/**
 * Parser for the fenced file format of model answers (docs/code-format.md).
 *
 * It is shared by the Worker and the SPA and must work on any prefix of a
 * streaming answer: it never throws, an unclosed file fence is a file with
 * `complete: false`, and a file's content only grows as more text arrives
 * (a trailing line that may turn into the closing fence is held back).
 */
import { type TemplateId, templateIdSchema } from "./api.ts";

export type CodeFile = {
  path: string;
  language: string;
  content: string;
  complete: boolean;
};

/** A piece of an answer in reading order: prose (markdown) or a file fence. */
export type AnswerSegment =
  | { kind: "text"; text: string }
  | { kind: "file"; file: CodeFile; template: string | null };

export type CodeAnswer = {
  explanation: string;
  files: CodeFile[];
  template: TemplateId;
  /**
   * The first `template=` value the answer declared, verbatim, or null. It
   * differs from `template` when the model named a template the browser
   * preview cannot run (a server template such as `node`).
   */
  declaredTemplate: string | null;
};

type Fence = { char: "`" | "~"; length: number; indent: number };

type OpenFence = Fence & {
  file: { path: string; language: string; template: string | null } | null;
  lines: string[];
};

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
/** A line still arriving that could become a closing fence once complete. */
const MAYBE_CLOSING_FENCE = /^ {0,3}(`*|~*)$/;
const MAYBE_OPENING_FENCE = /^ {0,3}(`+|~+)/;

/** Splits an answer (finished or partial) into prose and file segments. */
export function splitCodeAnswer(text: string): AnswerSegment[] {
  const segments: AnswerSegment[] = [];
  const lines = text.split(/\r?\n/);
  // The text after the last newline is a line still arriving.
  const partialLine = lines.pop() ?? "";
  let prose: string[] = [];
  let open: OpenFence | null = null;

  const flushProse = () => {
    if (prose.length > 0) segments.push({ kind: "text", text: prose.join("\n") });
    prose = [];
  };

  for (const line of lines) {
    if (open === null) {
      const opened = openFence(line);
      if (opened?.file) {
        flushProse();
        open = opened;
      } else {
        if (opened) open = opened;
        prose.push(line);
      }
      continue;
    }

    if (isClosingFence(line, open)) {
      if (open.file) {
        segments.push(fileSegment(open, open.lines, true));
      } else {
        prose.push(line);
      }
      open = null;
      continue;
    }

    if (open.file) {
      open.lines.push(stripIndent(line, open.indent));
    } else {
      prose.push(line);
    }
  }

  // A finished answer often ends on its closing fence without a newline.
  if (open?.file && isClosingFence(partialLine, open)) {
    segments.push(fileSegment(open, open.lines, true));
    return segments;
  }

  if (open?.file) {
    const heldBack = MAYBE_CLOSING_FENCE.test(partialLine);
    const tail = heldBack ? "" : stripIndent(partialLine, open.indent);
    segments.push(fileSegment(open, [...open.lines, tail], false));
    return segments;
  }

  // A fence line that has not finished arriving is held back: its info
  // string (and so whether it opens a file) is not known yet.
  if (open === null && MAYBE_OPENING_FENCE.test(partialLine)) {
    flushProse();
    return segments;
  }

  prose.push(partialLine);
  flushProse();
  return segments;
}

/** Reads the explanation, files and preview template of an answer. */
export function parseCodeAnswer(text: string, fallbackTemplate?: TemplateId): CodeAnswer {
  const segments = splitCodeAnswer(text);
  const files: CodeFile[] = [];
  const explanation: string[] = [];
  let declaredTemplate: string | null = null;

  for (const segment of segments) {
    if (segment.kind === "text") {
      explanation.push(segment.text);
      continue;
    }

    declaredTemplate ??= segment.template;
    const index = files.findIndex((file) => file.path === segment.file.path);
    if (index === -1) {
      files.push(segment.file);
    } else {
      files[index] = segment.file;
    }
  }

  return {
    explanation: explanation.join("\n").trim(),
    files,
    template: resolveTemplate({ declaredTemplate, fallbackTemplate, files }),
    declaredTemplate,
  };
}

function resolveTemplate(input: {
  declaredTemplate: string | null;
  fallbackTemplate: TemplateId | undefined;
  files: CodeFile[];
}): TemplateId {
  const declared = templateIdSchema.safeParse(input.declaredTemplate);
  if (declared.success) return declared.data;
  if (input.fallbackTemplate) return input.fallbackTemplate;
  return input.files.some((file) => /\.(tsx|jsx)$/.test(file.path)) ? "react" : "static";
}

function openFence(line: string): OpenFence | null {
  const match = OPENING_FENCE.exec(line);
  if (!match) return null;

  const [, indent = "", marker = "", info = ""] = match;
  const char = marker[0] === "~" ? "~" : "`";
  // CommonMark: a backtick fence's info string may not contain backticks.
  if (char === "`" && info.includes("`")) return null;

  return {
    char,
    length: marker.length,
    indent: indent.length,
    file: readInfoString(info),
    lines: [],
  };
}

function isClosingFence(line: string, fence: Fence): boolean {
  const match = CLOSING_FENCE.exec(line);
  const marker = match?.[1];
  return marker !== undefined && marker[0] === fence.char && marker.length >= fence.length;
}

function fileSegment(open: OpenFence, lines: string[], complete: boolean): AnswerSegment {
  const info = open.file ?? { path: "", language: "", template: null };
  const content = complete ? lines.map((line) => `${line}\n`).join("") : lines.join("\n");
  return {
    kind: "file",
    file: { path: info.path, language: info.language, content, complete },
    template: info.template,
  };
}

function stripIndent(line: string, indent: number): string {
  let index = 0;
  while (index < indent && line[index] === " ") index += 1;
  return line.slice(index);
}

/**
 * Reads `<language> key=value key="quoted value" ...`. Returns the file it
 * names, or null for a fence without `path` (an ordinary code sample).
 */
function readInfoString(info: string): OpenFence["file"] {
  const tokens = tokenizeInfo(info.trim());
  const attributes = new Map<string, string>();
  let language = "";

  tokens.forEach((token, index) => {
    const equals = token.indexOf("=");
    if (equals > 0) {
      attributes.set(token.slice(0, equals).toLowerCase(), token.slice(equals + 1));
    } else if (index === 0) {
      language = token;
    }
  });

  const path = normalizePath(attributes.get("path") ?? "");
  if (path === "") return null;

  return {
    path,
    language: language.toLowerCase() || languageFromPath(path),
    template: attributes.get("template") || null,
  };
}

/** Splits on whitespace, keeping `"..."` together and unquoting it. */
function tokenizeInfo(info: string): string[] {
  const tokens: string[] = [];
  let current = "";
  let quoted = false;
  let started = false;

  for (let index = 0; index < info.length; index += 1) {
    const char = info[index] ?? "";
    if (quoted && char === "\\" && index + 1 < info.length) {
      index += 1;
      current += info[index] ?? "";
    } else if (char === '"') {
      quoted = !quoted;
      started = true;
    } else if (!quoted && /\s/.test(char)) {
      if (started) tokens.push(current);
      current = "";
      started = false;
    } else {
      current += char;
      started = true;
    }
  }

  if (started) tokens.push(current);
  return tokens;
}

function normalizePath(path: string): string {
  return path.trim().replace(/^\.\//, "").replace(/^\/+/, "");
}

const LANGUAGE_BY_EXTENSION: Record<string, string> = {
  tsx: "tsx",
  ts: "typescript",
  jsx: "jsx",
  js: "javascript",
  mjs: "javascript",
  css: "css",
  html: "html",
  json: "json",
  md: "markdown",
  py: "python",
};

function languageFromPath(path: string): string {
  const extension = path.split(".").pop()?.toLowerCase() ?? "";
  return LANGUAGE_BY_EXTENSION[extension] ?? "text";
}
