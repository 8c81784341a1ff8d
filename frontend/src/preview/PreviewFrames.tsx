import type { RefObject } from "react";
import { PreviewError } from "./PreviewError.tsx";
import { type PreviewWidth, WIDTH_PX } from "./PreviewToolbar.tsx";
import { buildPreviewDocument, PREVIEW_SANDBOX } from "./preview-document.ts";
import type { FrameSlot } from "./types.ts";

export type PreviewFramesProps = {
  stageRef: RefObject<HTMLDivElement | null>;
  width: PreviewWidth;
  current: FrameSlot | null;
  lastGood: FrameSlot | null;
  /** The answer on screen is not ready to run: dim whatever is shown. */
  waiting: boolean;
  registerFrame: (slotId: string, frame: HTMLIFrameElement | null) => void;
  onReload: () => void;
};

const SRC_DOC = buildPreviewDocument();

/**
 * Mounts the frame being built and the last working one. Only the frame on
 * screen is titled "Preview"; the other is hidden until it renders.
 */
export function PreviewFrames(props: PreviewFramesProps) {
  const { current, lastGood } = props;
  const visible = pickVisible(current, lastGood);
  const slots = [lastGood, current].filter(
    (slot, index, all): slot is FrameSlot => slot !== null && all.indexOf(slot) === index,
  );
  const widthPx = WIDTH_PX[props.width];
  const error = current?.status.state === "error" ? current.status : null;

  return (
    <div className="preview-stage" ref={props.stageRef}>
      <div
        className={`preview-device${props.waiting ? " preview-device--waiting" : ""}`}
        style={widthPx ? { width: `${widthPx}px` } : undefined}
      >
        {slots.map((slot) => (
          <iframe
            key={slot.id}
            ref={(frame) => props.registerFrame(slot.id, frame)}
            title={slot === visible ? "Preview" : "Preview (building)"}
            sandbox={PREVIEW_SANDBOX}
            srcDoc={SRC_DOC}
            className={slot === visible ? "preview-frame" : "preview-frame preview-frame--hidden"}
            aria-hidden={slot === visible ? undefined : true}
            tabIndex={slot === visible ? undefined : -1}
          />
        ))}
        {visible === null || (visible === current && current?.status.state === "building") ? (
          <div className="preview-placeholder" aria-hidden="true">
            <span className="spinner" />
          </div>
        ) : null}
      </div>
      {error ? (
        <PreviewError
          status={error}
          showingPrevious={visible !== current}
          onReload={props.onReload}
        />
      ) : null}
    </div>
  );
}

function pickVisible(current: FrameSlot | null, lastGood: FrameSlot | null): FrameSlot | null {
  if (!current) return lastGood;
  if (current.status.state === "rendered") return current;
  return lastGood ?? current;
}
