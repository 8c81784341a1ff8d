/**
 * The preview runtime, bundled as one IIFE with React, react-dom and sucrase
 * and loaded into the sandboxed preview iframe (opaque origin, no network
 * needed). It waits for the parent to send the answer's files, runs them and
 * reports the outcome; see protocol.ts.
 */
import { CompileError } from "./compile.ts";
import { isPreviewRenderMessage, type PreviewRenderMessage } from "./protocol.ts";
import { runReactApp } from "./react-app.ts";
import { installGlobalReporters, reportError, reportFailure, setReportContext } from "./report.ts";
import { runStaticSite } from "./static-site.ts";

let started = false;

function onMessage(event: MessageEvent): void {
  if (event.source !== window.parent || !isPreviewRenderMessage(event.data)) return;
  // One render per document: the parent loads a fresh frame for each version.
  if (started) return;
  started = true;
  render(event.data);
}

function render(message: PreviewRenderMessage): void {
  setReportContext({ renderId: message.renderId, paths: message.files.map((file) => file.path) });

  try {
    if (message.template === "static") {
      runStaticSite({ files: message.files, reinstall: installGlobalReporters });
    } else {
      runReactApp(message.files);
    }
  } catch (error) {
    if (error instanceof CompileError) {
      reportFailure({ message: error.message, stack: error.codeFrame, file: error.file });
      showFallback(error.message, error.codeFrame);
    } else {
      reportError(error);
      showFallback(error instanceof Error ? error.message : String(error), undefined);
    }
  }
}

/** Visible text in the frame itself, for a preview opened in its own tab. */
function showFallback(message: string, detail: string | undefined): void {
  const pre = document.createElement("pre");
  pre.style.cssText = "color:#b42318;padding:16px;white-space:pre-wrap;font:13px monospace";
  pre.textContent = detail ? `${message}\n\n${detail}` : message;
  document.body.replaceChildren(pre);
}

installGlobalReporters();
window.addEventListener("message", onMessage);
window.parent.postMessage({ type: "kiln:preview-ready" }, "*");
