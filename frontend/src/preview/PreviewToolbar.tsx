export type PreviewWidth = "phone" | "tablet" | "full";

const WIDTHS: { value: PreviewWidth; label: string }[] = [
  { value: "phone", label: "Phone 375" },
  { value: "tablet", label: "Tablet 768" },
  { value: "full", label: "Full" },
];

export const WIDTH_PX: Record<PreviewWidth, number | null> = {
  phone: 375,
  tablet: 768,
  full: null,
};

export type PreviewToolbarProps = {
  width: PreviewWidth;
  onWidthChange: (width: PreviewWidth) => void;
  canRun: boolean;
  canDownload: boolean;
  onReload: () => void;
  onOpenInNewTab: () => void;
  onFullScreen: () => void;
  onDownload: () => void;
  /** Switches a web app between the in-browser preview and a sandbox. */
  sandboxToggle?: { label: string; onClick: () => void; disabled: boolean } | undefined;
};

export function PreviewToolbar(props: PreviewToolbarProps) {
  return (
    <div className="preview-toolbar">
      <fieldset className="segmented" aria-label="Preview width">
        {WIDTHS.map((option) => (
          <button
            key={option.value}
            type="button"
            className="segmented__option segmented__option--text"
            aria-pressed={props.width === option.value}
            onClick={() => props.onWidthChange(option.value)}
          >
            {option.label}
          </button>
        ))}
      </fieldset>
      <div className="preview-toolbar__actions">
        {props.sandboxToggle ? (
          <button
            type="button"
            className="button button--small"
            onClick={props.sandboxToggle.onClick}
            disabled={props.sandboxToggle.disabled}
          >
            {props.sandboxToggle.label}
          </button>
        ) : null}
        <button
          type="button"
          className="button button--small"
          onClick={props.onReload}
          disabled={!props.canRun}
        >
          Reload
        </button>
        <button
          type="button"
          className="button button--small"
          onClick={props.onOpenInNewTab}
          disabled={!props.canRun}
        >
          Open in new tab
        </button>
        <button
          type="button"
          className="button button--small"
          onClick={props.onFullScreen}
          disabled={!props.canRun}
        >
          Full screen
        </button>
        <button
          type="button"
          className="button button--small"
          onClick={props.onDownload}
          disabled={!props.canDownload}
        >
          Download files
        </button>
      </div>
    </div>
  );
}
