import { useEffect, useState } from "react";
import { PREVIEW_TIMEOUT_MS } from "./use-preview-frames.ts";

export type PreviewState = "idle" | "building" | "rendered" | "error";

export type PreviewStatusProps = {
  state: PreviewState;
  /** What is happening, in words. */
  label: string;
  detail?: string;
  buildStartedAtMs?: number;
};

/** The one place that says what the preview is doing; tests read `data-state`. */
export function PreviewStatus({ state, label, detail, buildStartedAtMs }: PreviewStatusProps) {
  return (
    <div
      className={`preview-status preview-status--${state}`}
      data-testid="preview-status"
      data-state={state}
      role="status"
    >
      <span className="preview-status__dot" aria-hidden="true" />
      <span className="preview-status__label">{label}</span>
      {state === "building" && buildStartedAtMs !== undefined ? (
        <Elapsed startedAtMs={buildStartedAtMs} />
      ) : null}
      {detail ? <span className="preview-status__detail">{detail}</span> : null}
    </div>
  );
}

function Elapsed({ startedAtMs }: { startedAtMs: number }) {
  const [nowMs, setNowMs] = useState(() => performance.now());

  useEffect(() => {
    const timer = setInterval(() => setNowMs(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const seconds = Math.max(0, Math.floor((nowMs - startedAtMs) / 1000));
  return (
    <span className="preview-status__detail">
      {seconds} s · gives up after {PREVIEW_TIMEOUT_MS / 1000} s
    </span>
  );
}
