import type { SandboxTemplateId } from "../../../contract/sandbox.ts";
import type { PreviewState } from "./PreviewStatus.tsx";
import type { FrameSlot, PreviewRequest } from "./types.ts";

export type PreviewDescription = { state: PreviewState; label: string; detail?: string };

export const SERVER_TEMPLATE_LABEL =
  "This template runs on a server; the code is shown but cannot be previewed in the browser";

export const SANDBOX_TEMPLATE_LABEL =
  "This template runs on a server: it runs in a sandbox, not in the browser";

/** Says in words what the preview is doing for the answer on screen. */
export function describePreview(input: {
  request: PreviewRequest | null;
  unsupportedTemplate: string | null;
  sandboxTemplate: SandboxTemplateId | null;
  renderKey: string | null;
  current: FrameSlot | null;
}): PreviewDescription {
  const { request, current } = input;

  if (!request || request.files.length === 0) {
    return {
      state: "idle",
      label: "Waiting for code…",
      detail: "Ask for an app: it runs here once the answer is complete.",
    };
  }
  if (input.unsupportedTemplate && input.sandboxTemplate) {
    return {
      state: "idle",
      label: SANDBOX_TEMPLATE_LABEL,
      detail: `Template "${input.unsupportedTemplate}".`,
    };
  }
  if (input.unsupportedTemplate) {
    return {
      state: "idle",
      label: SERVER_TEMPLATE_LABEL,
      detail: `Template "${input.unsupportedTemplate}".`,
    };
  }
  if (!request.complete) {
    return request.answerStatus === "streaming"
      ? {
          state: "idle",
          label: "Waiting for the answer to finish…",
          detail: "The preview runs complete files only.",
        }
      : {
          state: "idle",
          label: "The answer did not finish, so its files may be incomplete.",
          detail: "Retry the answer to preview it.",
        };
  }
  if (!current || current.id !== input.renderKey || current.status.state === "building") {
    return { state: "building", label: "Building preview…" };
  }
  if (current.status.state === "rendered") {
    return {
      state: "rendered",
      label: "Running",
      detail: `started in ${current.status.renderedInMs} ms`,
    };
  }
  return {
    state: "error",
    label: current.status.file ? `Preview failed in ${current.status.file}` : "Preview failed",
  };
}
