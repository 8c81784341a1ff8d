import { useMemo, useRef, useState } from "react";
import { templateIdSchema } from "../../../contract/api.ts";
import { downloadAll } from "../code/download.ts";
import { describePreview } from "./describe-preview.ts";
import { openPreviewInNewTab } from "./open-in-new-tab.ts";
import { PreviewFrames } from "./PreviewFrames.tsx";
import { PreviewStatus } from "./PreviewStatus.tsx";
import { PreviewToolbar, type PreviewWidth } from "./PreviewToolbar.tsx";
import type { PreviewRequest } from "./types.ts";
import { type RenderInput, usePreviewFrames } from "./use-preview-frames.ts";
import "./preview.css";

export type PreviewPanelProps = { request: PreviewRequest | null };

export default function PreviewPanel({ request }: PreviewPanelProps) {
  const [width, setWidth] = useState<PreviewWidth>("full");
  const stageRef = useRef<HTMLDivElement>(null);
  const unsupportedTemplate = findUnsupportedTemplate(request);
  const renderInput = useRenderInput(request, unsupportedTemplate);
  const frames = usePreviewFrames(renderInput);

  const description = describePreview({
    request,
    unsupportedTemplate,
    renderKey: frames.renderKey,
    current: frames.current,
  });

  return (
    <section className="preview-panel" aria-label="Preview panel">
      <PreviewToolbar
        width={width}
        onWidthChange={setWidth}
        canRun={renderInput !== null}
        canDownload={(request?.files.length ?? 0) > 0}
        onReload={frames.reload}
        onOpenInNewTab={() => renderInput && openPreviewInNewTab(renderInput)}
        onFullScreen={() => void stageRef.current?.requestFullscreen().catch(() => {})}
        onDownload={() => request && downloadAll(request.files)}
      />
      <PreviewStatus
        state={description.state}
        label={description.label}
        detail={description.detail}
        buildStartedAtMs={frames.current?.startedAtMs}
      />
      <PreviewFrames
        stageRef={stageRef}
        width={width}
        current={frames.current}
        lastGood={frames.lastGood}
        waiting={description.state === "idle"}
        registerFrame={frames.registerFrame}
        onReload={frames.reload}
      />
    </section>
  );
}

function findUnsupportedTemplate(request: PreviewRequest | null): string | null {
  const declared = request?.declaredTemplate;
  if (!declared || templateIdSchema.safeParse(declared).success) return null;
  return declared;
}

function useRenderInput(
  request: PreviewRequest | null,
  unsupportedTemplate: string | null,
): RenderInput | null {
  const runnable = request?.complete && request.files.length > 0 && !unsupportedTemplate;
  const key = request?.key;
  const template = request?.template;
  const files = request?.files;

  return useMemo(() => {
    if (!runnable || !key || !template || !files) return null;
    return { key, template, files: files.map(({ path, content }) => ({ path, content })) };
  }, [runnable, key, template, files]);
}
