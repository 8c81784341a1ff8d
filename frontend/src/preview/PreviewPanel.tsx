import { useMemo, useRef, useState } from "react";
import { templateIdSchema } from "../../../contract/api.ts";
import { type SandboxTemplateId, sandboxTemplateFor } from "../../../contract/sandbox.ts";
import { downloadAll } from "../code/download.ts";
import { describePreview } from "./describe-preview.ts";
import { openPreviewInNewTab } from "./open-in-new-tab.ts";
import { PreviewFrames } from "./PreviewFrames.tsx";
import { PreviewStatus } from "./PreviewStatus.tsx";
import { PreviewToolbar, type PreviewWidth } from "./PreviewToolbar.tsx";
import { SandboxPanel } from "./sandbox/SandboxPanel.tsx";
import { useSandbox } from "./sandbox/use-sandbox.ts";
import type { PreviewRequest } from "./types.ts";
import { type RenderInput, usePreviewFrames } from "./use-preview-frames.ts";
import "./preview.css";

export type PreviewPanelProps = { request: PreviewRequest | null };

export default function PreviewPanel({ request }: PreviewPanelProps) {
  const [width, setWidth] = useState<PreviewWidth>("full");
  const [sandboxChosen, setSandboxChosen] = useState(false);
  const stageRef = useRef<HTMLDivElement>(null);
  const unsupportedTemplate = findUnsupportedTemplate(request);
  const renderInput = useRenderInput(request, unsupportedTemplate);
  const frames = usePreviewFrames(renderInput);
  const sandbox = useSandbox();

  const sandboxTemplate = findSandboxTemplate(request);
  // Server templates only run in a sandbox; web apps may, when the person asks.
  const serverOnly = unsupportedTemplate !== null && sandboxTemplate !== null;
  const showSandbox = sandboxTemplate !== null && (serverOnly || sandboxChosen);
  const canRunSandbox = Boolean(request?.complete && request.files.length > 0);
  // Without a sandbox (refused, unavailable), a web app keeps its in-browser preview.
  const showFrames =
    !serverOnly && (!showSandbox || ["unavailable", "error", "idle"].includes(sandbox.state.phase));

  const runSandbox = () => {
    if (!request || !sandboxTemplate) return;
    void sandbox.start({
      template: sandboxTemplate,
      files: request.files.map(({ path, content }) => ({ path, content })),
    });
  };

  const description = describePreview({
    request,
    unsupportedTemplate,
    sandboxTemplate,
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
        sandboxToggle={
          sandboxTemplate && !serverOnly
            ? {
                label: sandboxChosen ? "In-browser preview" : "Run in sandbox",
                onClick: () => {
                  if (!sandboxChosen) runSandbox();
                  setSandboxChosen(!sandboxChosen);
                },
                disabled: !canRunSandbox,
              }
            : undefined
        }
      />
      <PreviewStatus
        state={description.state}
        label={description.label}
        detail={description.detail}
        buildStartedAtMs={frames.current?.startedAtMs}
      />
      <div className="preview-body">
        {showSandbox && sandboxTemplate ? (
          <SandboxPanel
            template={sandboxTemplate}
            state={sandbox.state}
            canRun={canRunSandbox}
            onRun={runSandbox}
            onRecreate={sandbox.recreate}
            onStop={() => void sandbox.stop()}
          />
        ) : null}
        {showFrames ? (
          <PreviewFrames
            stageRef={stageRef}
            width={width}
            current={frames.current}
            lastGood={frames.lastGood}
            spareFrameId={frames.spareFrameId}
            waiting={description.state === "idle"}
            registerFrame={frames.registerFrame}
            onReload={frames.reload}
          />
        ) : null}
      </div>
    </section>
  );
}

function findUnsupportedTemplate(request: PreviewRequest | null): string | null {
  const declared = request?.declaredTemplate;
  if (!declared || templateIdSchema.safeParse(declared).success) return null;
  return declared;
}

/** The sandbox template for an answer: its declared one, or Vite for a React app. */
function findSandboxTemplate(request: PreviewRequest | null): SandboxTemplateId | null {
  if (!request) return null;
  return (
    sandboxTemplateFor(request.declaredTemplate) ??
    (request.template === "react" && !request.declaredTemplate ? "vite-react" : null)
  );
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
