import type { PreviewFile } from "./protocol.ts";
import { reportRendered } from "./report.ts";

/**
 * Runs a static answer: the page's linked stylesheets and scripts that are
 * among the answer's files are inlined, then the page replaces this document
 * with document.write, so its scripts run and DOMContentLoaded/load fire as
 * on a real page load.
 */
export function runStaticSite(input: {
  files: PreviewFile[];
  pagePath?: string;
  /** Re-installs the runtime's listeners: document.open() removes them from window. */
  reinstall: () => void;
}): void {
  const files = new Map(input.files.map((file) => [file.path, file.content]));
  const pagePath = input.pagePath ?? findPage(files);
  if (!pagePath) {
    throw new Error(
      "A static answer needs an index.html. " +
        `This one has: ${[...files.keys()].join(", ") || "no files"}.`,
    );
  }

  const page = new DOMParser().parseFromString(files.get(pagePath) ?? "", "text/html");
  inlineStylesheets(page, files, pagePath);
  inlineScripts(page, files, pagePath);
  page.head.prepend(reinstallScript(page));

  window.__kilnPreviewRuntime = {
    reinstall: () => {
      input.reinstall();
      followLocalLinks({ ...input, pagePath });
    },
  };

  document.open();
  document.write(`<!doctype html>\n${page.documentElement.outerHTML}`);
  document.close();

  if (document.readyState === "complete") {
    reportRendered();
  } else {
    window.addEventListener("load", () => reportRendered(), { once: true });
  }
}

declare global {
  interface Window {
    __kilnPreviewRuntime?: { reinstall: () => void };
  }
}

function findPage(files: Map<string, string>): string | undefined {
  if (files.has("index.html")) return "index.html";
  return [...files.keys()].find((path) => path.endsWith(".html"));
}

function inlineStylesheets(page: Document, files: Map<string, string>, pagePath: string): void {
  for (const link of page.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet"][href]')) {
    const path = resolveLocal(pagePath, link.getAttribute("href") ?? "");
    const css = path === null ? undefined : files.get(path);
    if (css === undefined) continue;

    const style = page.createElement("style");
    style.dataset.file = path ?? "";
    style.textContent = css;
    link.replaceWith(style);
  }
}

function inlineScripts(page: Document, files: Map<string, string>, pagePath: string): void {
  for (const script of page.querySelectorAll<HTMLScriptElement>("script[src]")) {
    const path = resolveLocal(pagePath, script.getAttribute("src") ?? "");
    const code = path === null ? undefined : files.get(path);
    if (code === undefined) continue;

    script.removeAttribute("src");
    // A literal "</script" would end the inline element early.
    script.textContent = `${code.replaceAll("</script", "<\\/script")}\n//# sourceURL=${path}`;
  }
}

/** Runs first in the new document so errors from the page's own scripts are reported. */
function reinstallScript(page: Document): HTMLScriptElement {
  const script = page.createElement("script");
  script.textContent = "window.__kilnPreviewRuntime && window.__kilnPreviewRuntime.reinstall();";
  return script;
}

/** Links between the answer's pages would navigate to nothing in a srcdoc frame. */
function followLocalLinks(input: Parameters<typeof runStaticSite>[0] & { pagePath: string }): void {
  document.addEventListener("click", (event) => {
    const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
    const path = anchor ? resolveLocal(input.pagePath, anchor.getAttribute("href") ?? "") : null;
    if (path === null || !input.files.some((file) => file.path === path)) return;

    event.preventDefault();
    runStaticSite({ ...input, pagePath: path });
  });
}

/** A relative href resolved against the page's path; null for absolute URLs and anchors. */
function resolveLocal(pagePath: string, href: string): string | null {
  const clean = href.split(/[?#]/)[0] ?? "";
  if (clean === "" || /^[a-z][a-z0-9+.-]*:|^\/\//i.test(clean)) return null;

  const directory = clean.startsWith("/") ? [] : pagePath.split("/").slice(0, -1);
  const parts = [...directory];
  for (const part of clean.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}
