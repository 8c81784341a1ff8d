import type { FrameStatus } from "./types.ts";

export type PreviewErrorProps = {
  status: Extract<FrameStatus, { state: "error" }>;
  showingPrevious: boolean;
  onReload: () => void;
};

export function PreviewError({ status, showingPrevious, onReload }: PreviewErrorProps) {
  return (
    <div className="preview-error" role="alert">
      <p className="preview-error__title">
        {status.file ? `Error in ${status.file}` : "The preview failed"}
        {showingPrevious ? " · showing the last working version" : ""}
      </p>
      <p className="preview-error__message">{status.message}</p>
      {status.stack ? <pre className="preview-error__stack">{status.stack}</pre> : null}
      <div className="preview-error__actions">
        <button type="button" className="button button--small" onClick={onReload}>
          Reload preview
        </button>
      </div>
    </div>
  );
}
