import { buildStandaloneDocument } from "./preview-document.ts";
import type { RenderInput } from "./use-preview-frames.ts";

const URL_LIFETIME_MS = 60_000;

export function openPreviewInNewTab(input: RenderInput): void {
  const html = buildStandaloneDocument({
    type: "kiln:preview-render",
    renderId: `${input.key}-tab`,
    template: input.template,
    files: input.files,
  });
  const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  window.open(url, "_blank");
  // The new tab has loaded it long before; a blob URL otherwise lives as long as this page.
  setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
}
