/**
 * Messages between the app (parent) and the preview runtime inside the
 * sandboxed iframe. The iframe has an opaque origin ("null"), so neither side
 * can check origins: each checks the message's source window instead.
 */
import type { TemplateId } from "../../contract/api.ts";

export type PreviewFile = { path: string; content: string };

/** Runtime → parent: loaded and listening. */
export type PreviewReadyMessage = { type: "kiln:preview-ready" };

/** Parent → runtime: what to run. */
export type PreviewRenderMessage = {
  type: "kiln:preview-render";
  renderId: string;
  template: TemplateId;
  files: PreviewFile[];
};

/** Runtime → parent: the outcome, possibly more than once (a later crash). */
export type PreviewStatusMessage = {
  type: "kiln:preview-status";
  state: "rendered" | "error";
  renderId?: string;
  message?: string;
  stack?: string;
  /** The file the error points at, when known. */
  file?: string;
};

export function isPreviewReadyMessage(value: unknown): value is PreviewReadyMessage {
  return hasType(value, "kiln:preview-ready");
}

export function isPreviewRenderMessage(value: unknown): value is PreviewRenderMessage {
  if (!hasType(value, "kiln:preview-render")) return false;
  const message = value as Partial<PreviewRenderMessage>;
  return typeof message.renderId === "string" && Array.isArray(message.files);
}

export function isPreviewStatusMessage(value: unknown): value is PreviewStatusMessage {
  if (!hasType(value, "kiln:preview-status")) return false;
  const { state } = value as Partial<PreviewStatusMessage>;
  return state === "rendered" || state === "error";
}

function hasType(value: unknown, type: string): boolean {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === type;
}
