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
  /** A frame loading the runtime for the next render, if one is wanted now. */
  spareFrameId: number | null;
  /** The answer on screen is not ready to run: dim whatever is shown. */
  waiting: boolean;
  registerFrame: (frameId: number, frame: HTMLIFrameElement | null) => void;
  onReload: () => void;
};

const SRC_DOC = buildPreviewDocument();

/**
 * Mounts the frame being built, the last working one and the spare. Only the
 * frame on screen is titled "Preview"; the others are hidden. Frames stay in
 * the order they were made: moving an iframe in the DOM would reload it.
 */
export function PreviewFrames(props: PreviewFramesProps) {
  const { current, lastGood } = props;
  const visible = pickVisible(current, lastGood);
  const slots = [lastGood, current].filter(
    (slot, index, all): slot is FrameSlot => slot !== null && all.indexOf(slot) === index,
  );
  const mounted = [
    ...slots.map((slot) => ({ frameId: slot.frameId, slot })),
    ...(props.spareFrameId === null ? [] : [{ frameId: props.spareFrameId, slot: null }]),
  ].sort((first, second) => first.frameId - second.frameId);
  const widthPx = WIDTH_PX[props.width];
  const error = current?.status.state === "error" ? current.status : null;

  return (
    <div className="preview-stage" ref={props.stageRef}>
      <div
        className={`preview-device${props.waiting ? " preview-device--waiting" : ""}`}
        style={widthPx ? { width: `${widthPx}px` } : undefined}
      >
        {mounted.map(({ frameId, slot }) => {
          const shown = slot !== null && slot === visible;
          return (
            <iframe
              key={frameId}
              ref={(frame) => props.registerFrame(frameId, frame)}
              title={shown ? "Preview" : slot ? "Preview (building)" : "Preview (standby)"}
              sandbox={PREVIEW_SANDBOX}
              srcDoc={SRC_DOC}
              className={shown ? "preview-frame" : "preview-frame preview-frame--hidden"}
              aria-hidden={shown ? undefined : true}
              tabIndex={shown ? undefined : -1}
            />
          );
        })}
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
