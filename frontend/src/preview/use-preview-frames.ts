import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";
import type { TemplateId } from "../../../contract/api.ts";
import {
  isPreviewReadyMessage,
  isPreviewStatusMessage,
  type PreviewRenderMessage,
} from "../../preview-runtime/protocol.ts";
import type { FrameSlot, FrameStatus } from "./types.ts";

export const PREVIEW_TIMEOUT_MS = 20_000;

export type RenderInput = {
  key: string;
  template: TemplateId;
  files: { path: string; content: string }[];
};

/** A status, or one computed from the slot it is for. */
type NextStatus = FrameStatus | ((slot: FrameSlot) => FrameStatus);

type Frames = {
  current: FrameSlot | null;
  lastGood: FrameSlot | null;
  /** The frame the next render will use, loading the runtime before it is needed. */
  spareFrameId: number;
};

/**
 * Runs each version of the code in a fresh sandboxed frame while the last
 * working one stays on screen, so a failed build shows its error beside a
 * working app instead of a blank panel.
 *
 * A spare frame loads the runtime before it is needed (from the moment the
 * panel shows, so while the person types and the answer streams), and a
 * render only has to run the code. The next spare is made once nothing is
 * building: loading a runtime beside a build would slow that build.
 */
export function usePreviewFrames(input: RenderInput | null) {
  const [frames, setFrames] = useState<Frames>({ current: null, lastGood: null, spareFrameId: 0 });
  const [reloadCount, setReloadCount] = useState(0);
  const iframes = useRef(new Map<number, HTMLIFrameElement>());
  const readyFrames = useRef(new WeakSet<HTMLIFrameElement>());
  // What each frame runs; the frame asks for it when its runtime is ready, if it was not then.
  const renders = useRef(new Map<number, PreviewRenderMessage>());
  const nextFrameId = useRef(0);
  const renderKey = input ? `${input.key}#${reloadCount}` : null;

  const startRender = useEffectEvent((slotId: string) => {
    if (!input) return;
    const frameId = nextFrameId.current;
    nextFrameId.current += 1;
    const message: PreviewRenderMessage = {
      type: "kiln:preview-render",
      renderId: slotId,
      template: input.template,
      files: input.files,
    };
    renders.current.set(frameId, message);
    const frame = iframes.current.get(frameId);
    if (frame && readyFrames.current.has(frame)) post(frame, message);

    const slot: FrameSlot = {
      id: slotId,
      frameId,
      startedAtMs: performance.now(),
      status: { state: "building" },
    };
    setFrames((previous) => ({
      current: slot,
      lastGood:
        previous.current?.status.state === "rendered" ? previous.current : previous.lastGood,
      spareFrameId: nextFrameId.current,
    }));
  });

  useEffect(() => {
    if (renderKey) startRender(renderKey);
  }, [renderKey]);

  // Forget what replaced frames ran: older than the current one, and not the last good one.
  // (A render started in this same commit is newer than the current frame, so it stays.)
  const currentFrameId = frames.current?.frameId;
  const lastGoodFrameId = frames.lastGood?.frameId;
  useEffect(() => {
    if (currentFrameId === undefined) return;
    for (const frameId of renders.current.keys()) {
      if (frameId < currentFrameId && frameId !== lastGoodFrameId) renders.current.delete(frameId);
    }
  }, [currentFrameId, lastGoodFrameId]);

  const setStatus = useCallback((slotId: string, next: NextStatus) => {
    setFrames((previous) => {
      const { current } = previous;
      if (current?.id !== slotId) return previous;
      const status = typeof next === "function" ? next(current) : next;
      // Keep the first error: later ones are usually its consequences.
      if (current.status.state === "error" && status.state === "error") return previous;

      const updated = { ...current, status };
      return status.state === "rendered"
        ? { ...previous, current: updated, lastGood: updated }
        : { ...previous, current: updated };
    });
  }, []);

  const onMessage = useEffectEvent((event: MessageEvent) => {
    const entry = [...iframes.current].find(([, frame]) => frame.contentWindow === event.source);
    if (!entry) return;
    const [frameId, frame] = entry;
    const message = renders.current.get(frameId);

    if (isPreviewReadyMessage(event.data)) {
      readyFrames.current.add(frame);
      if (message) post(frame, message);
    } else if (isPreviewStatusMessage(event.data) && message) {
      const { state, message: text, stack, file } = event.data;
      const renderedAtMs = performance.now();
      setStatus(message.renderId, (slot) =>
        state === "rendered"
          ? { state, renderedInMs: Math.round(renderedAtMs - slot.startedAtMs) }
          : { state, message: text ?? "The preview failed.", stack, file },
      );
    }
  });

  useEffect(() => {
    const listener = (event: MessageEvent) => onMessage(event);
    window.addEventListener("message", listener);
    return () => window.removeEventListener("message", listener);
  }, []);

  useBuildTimeout(frames.current, setStatus);

  const registerFrame = useCallback((frameId: number, frame: HTMLIFrameElement | null) => {
    if (frame) iframes.current.set(frameId, frame);
    else iframes.current.delete(frameId);
  }, []);

  const reload = useCallback(() => setReloadCount((count) => count + 1), []);

  const building = frames.current?.status.state === "building";
  const spareFrameId = building ? null : frames.spareFrameId;

  return {
    current: frames.current,
    lastGood: frames.lastGood,
    spareFrameId,
    renderKey,
    registerFrame,
    reload,
  };
}

function post(frame: HTMLIFrameElement, message: PreviewRenderMessage): void {
  // "*": the frame's origin is opaque; the message goes to that one window only.
  frame.contentWindow?.postMessage(message, "*");
}

/** A frame that never reports (stuck loop, runtime missing) becomes an error the person can see. */
function useBuildTimeout(
  slot: FrameSlot | null,
  setStatus: (slotId: string, status: NextStatus) => void,
) {
  const building = slot?.status.state === "building";
  const slotId = slot?.id;
  const startedAtMs = slot?.startedAtMs ?? 0;

  useEffect(() => {
    if (!building || !slotId) return;
    const remainingMs = PREVIEW_TIMEOUT_MS - (performance.now() - startedAtMs);
    const timer = setTimeout(
      () => {
        setStatus(slotId, {
          state: "error",
          message: `The preview did not finish starting within ${PREVIEW_TIMEOUT_MS / 1000} s.`,
          stack:
            "The code may be stuck in a loop, or the preview runtime did not load. Reload to try again.",
        });
      },
      Math.max(0, remainingMs),
    );
    return () => clearTimeout(timer);
  }, [building, slotId, startedAtMs, setStatus]);
}
