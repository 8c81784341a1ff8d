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

type Frames = { current: FrameSlot | null; lastGood: FrameSlot | null };

/**
 * Runs each version of the code in a fresh sandboxed frame while the last
 * working one stays on screen, so a failed build shows its error beside a
 * working app instead of a blank panel.
 */
export function usePreviewFrames(input: RenderInput | null) {
  const [frames, setFrames] = useState<Frames>({ current: null, lastGood: null });
  const [reloadCount, setReloadCount] = useState(0);
  const iframes = useRef(new Map<string, HTMLIFrameElement>());
  const renderKey = input ? `${input.key}#${reloadCount}` : null;

  const startRender = useEffectEvent((slotId: string) => {
    if (!input) return;
    const slot: FrameSlot = {
      id: slotId,
      template: input.template,
      files: input.files,
      startedAtMs: performance.now(),
      status: { state: "building" },
    };
    setFrames((previous) => ({
      current: slot,
      lastGood:
        previous.current?.status.state === "rendered" ? previous.current : previous.lastGood,
    }));
  });

  useEffect(() => {
    if (renderKey) startRender(renderKey);
  }, [renderKey]);

  const setStatus = useCallback((slotId: string, status: FrameStatus) => {
    setFrames((previous) => {
      const { current } = previous;
      if (current?.id !== slotId) return previous;
      // Keep the first error: later ones are usually its consequences.
      if (current.status.state === "error" && status.state === "error") return previous;

      const updated = { ...current, status };
      return status.state === "rendered"
        ? { current: updated, lastGood: updated }
        : { ...previous, current: updated };
    });
  }, []);

  const onMessage = useEffectEvent((event: MessageEvent) => {
    const entry = [...iframes.current].find(([, frame]) => frame.contentWindow === event.source);
    const slot = [frames.current, frames.lastGood].find(
      (candidate) => candidate?.id === entry?.[0],
    );
    if (!entry || !slot) return;

    if (isPreviewReadyMessage(event.data)) {
      const message: PreviewRenderMessage = {
        type: "kiln:preview-render",
        renderId: slot.id,
        template: slot.template,
        files: slot.files,
      };
      // "*": the frame's origin is opaque; the message goes to that one window only.
      entry[1].contentWindow?.postMessage(message, "*");
    } else if (isPreviewStatusMessage(event.data)) {
      const { state, message, stack, file } = event.data;
      setStatus(
        slot.id,
        state === "rendered"
          ? { state, renderedInMs: Math.round(performance.now() - slot.startedAtMs) }
          : { state, message: message ?? "The preview failed.", stack, file },
      );
    }
  });

  useEffect(() => {
    const listener = (event: MessageEvent) => onMessage(event);
    window.addEventListener("message", listener);
    return () => window.removeEventListener("message", listener);
  }, []);

  useBuildTimeout(frames.current, setStatus);

  const registerFrame = useCallback((slotId: string, frame: HTMLIFrameElement | null) => {
    if (frame) iframes.current.set(slotId, frame);
    else iframes.current.delete(slotId);
  }, []);

  const reload = useCallback(() => setReloadCount((count) => count + 1), []);

  return { ...frames, renderKey, registerFrame, reload };
}

/** A frame that never reports (stuck loop, runtime missing) becomes an error the person can see. */
function useBuildTimeout(
  slot: FrameSlot | null,
  setStatus: (slotId: string, status: FrameStatus) => void,
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
