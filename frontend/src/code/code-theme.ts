import type { PrismTheme } from "prism-react-renderer";

/**
 * Token colours come from CSS variables (code.css), which switch with the
 * light/dark theme, so highlighting never needs a re-render to change theme.
 */
const token = (name: string) => ({ color: `var(--code-${name})` });

export const codeTheme: PrismTheme = {
  plain: { color: "var(--code-text)", backgroundColor: "transparent" },
  styles: [
    {
      types: ["comment", "prolog", "doctype", "cdata"],
      style: { ...token("comment"), fontStyle: "italic" },
    },
    { types: ["punctuation", "operator"], style: token("punctuation") },
    { types: ["keyword", "selector", "important", "atrule", "rule"], style: token("keyword") },
    { types: ["string", "char", "attr-value", "template-string", "regex"], style: token("string") },
    { types: ["number", "boolean", "constant", "symbol"], style: token("number") },
    { types: ["function", "method", "class-name", "maybe-class-name"], style: token("function") },
    { types: ["tag", "builtin", "property", "property-access"], style: token("tag") },
    { types: ["attr-name", "variable", "parameter", "imports", "exports"], style: token("attr") },
  ],
};

const PRISM_LANGUAGE: Record<string, string> = {
  ts: "typescript",
  typescript: "typescript",
  tsx: "tsx",
  js: "javascript",
  javascript: "javascript",
  mjs: "javascript",
  jsx: "jsx",
  html: "markup",
  xml: "markup",
  svg: "markup",
  css: "css",
  json: "json",
  md: "markdown",
  markdown: "markdown",
  py: "python",
  python: "python",
  sql: "sql",
  go: "go",
};

export function prismLanguage(language: string): string {
  return PRISM_LANGUAGE[language.toLowerCase()] ?? "plain";
}
