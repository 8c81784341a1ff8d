import type { PreviewRenderMessage } from "../../preview-runtime/protocol.ts";

export const PREVIEW_SANDBOX = "allow-scripts allow-modals allow-forms";

export function runtimeUrl(): string {
  return `${window.location.origin}/preview/runtime.js`;
}

/**
 * The document of one preview frame: an empty #root and the runtime, loaded
 * by absolute URL because a srcdoc frame with an opaque origin has no base of
 * its own. If the runtime cannot load, the frame says so instead of staying blank.
 */
export function buildPreviewDocument(url: string = runtimeUrl()): string {
  const failure = JSON.stringify({
    type: "kiln:preview-status",
    state: "error",
    message: `The preview runtime could not be loaded from ${url}.`,
  });

  return [
    "<!doctype html>",
    '<html><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '</head><body><div id="root"></div>',
    `<script src="${escapeAttribute(url)}" onerror="${escapeAttribute(`parent.postMessage(${failure}, '*')`)}"></script>`,
    "</body></html>",
  ].join("");
}

/**
 * A page for "Open in new tab": our own trusted host script plus the same
 * sandboxed frame, so the answer's code still runs with an opaque origin and
 * never shares the app's origin (and its stored session).
 */
export function buildStandaloneDocument(message: PreviewRenderMessage): string {
  const data = JSON.stringify(message).replaceAll("<", "\\u003c");
  const host = `
const message = ${data};
const frame = document.querySelector("iframe");
const status = document.getElementById("status");
addEventListener("message", (event) => {
  if (event.source !== frame.contentWindow || !event.data) return;
  if (event.data.type === "kiln:preview-ready") frame.contentWindow.postMessage(message, "*");
  if (event.data.type === "kiln:preview-status" && event.data.state === "error") {
    status.hidden = false;
    status.textContent = event.data.message || "The preview failed.";
  }
});`;

  return [
    "<!doctype html>",
    '<html><head><meta charset="utf-8"><title>Kiln preview</title>',
    "<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%;display:block}",
    "#status{position:fixed;inset:auto 0 0 0;margin:0;padding:12px 16px;background:#fef3f2;color:#b42318;font:14px system-ui;border-top:1px solid #fda29b}</style>",
    "</head><body>",
    '<p id="status" role="alert" hidden></p>',
    `<iframe title="Preview" sandbox="${PREVIEW_SANDBOX}" srcdoc="${escapeAttribute(buildPreviewDocument())}"></iframe>`,
    `<script>${host.replaceAll("</script", "<\\/script")}</script>`,
    "</body></html>",
  ].join("");
}

function escapeAttribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
}
