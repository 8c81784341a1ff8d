/**
 * The preview panel's sandbox mode: what the sandbox is doing (steps with
 * timings, the queue position), its logs, its results or its live preview,
 * when it expires, and what happened when there is none.
 */
import type { SandboxTemplateId } from "../../../../contract/sandbox.ts";
import { SandboxLogs } from "./SandboxLogs.tsx";
import {
  SandboxErrorNotice,
  SandboxFailureNotice,
  SandboxFallbackNotice,
} from "./SandboxNotice.tsx";
import { SandboxResults } from "./SandboxResults.tsx";
import { SandboxSteps } from "./SandboxSteps.tsx";
import type { SandboxState } from "./use-sandbox.ts";
import "./sandbox.css";

const TEMPLATE_NAMES: Record<SandboxTemplateId, string> = {
  python: "Python",
  "vite-react": "React (Vite)",
  nextjs: "Next.js",
};

export type SandboxPanelProps = {
  template: SandboxTemplateId;
  state: SandboxState;
  canRun: boolean;
  onRun: () => void;
  onRecreate: () => void;
  onStop: () => void;
};

export function SandboxPanel(props: SandboxPanelProps) {
  const { state, template } = props;
  const { sandbox } = state;

  return (
    <div className="sandbox" data-testid="sandbox-panel" data-phase={state.phase}>
      <div className="sandbox__bar">
        <span className="sandbox__title">
          {TEMPLATE_NAMES[template]} sandbox{sandbox?.simulated ? " · simulated E2B" : ""}
        </span>
        <span className="sandbox__phase" data-testid="sandbox-phase">
          {phaseLabel(state)}
        </span>
        {sandbox && (state.phase === "ready" || state.phase === "running") ? (
          <span className="sandbox__expiry" data-testid="sandbox-expiry">
            expires {clock(sandbox.expiresAt)} · kept alive while open, at most until{" "}
            {clock(sandbox.maxExpiresAt)}
          </span>
        ) : null}
        <span className="sandbox__actions">
          {state.phase === "idle" || state.phase === "unavailable" || state.phase === "error" ? (
            <button
              type="button"
              className="button button--small"
              onClick={props.onRun}
              disabled={!props.canRun}
            >
              Run in sandbox
            </button>
          ) : null}
          {state.phase === "ready" ? (
            <button type="button" className="button button--small" onClick={props.onStop}>
              Stop
            </button>
          ) : null}
          {state.phase === "expired" || state.phase === "stopped" || state.phase === "finished" ? (
            <button type="button" className="button button--small" onClick={props.onRecreate}>
              {state.phase === "finished" ? "Run again" : "Recreate sandbox"}
            </button>
          ) : null}
        </span>
      </div>

      {state.queuePosition !== null ? (
        <p className="sandbox-notice" role="status" data-testid="sandbox-queue">
          Waiting for a sandbox: number {state.queuePosition} in the queue.
        </p>
      ) : null}
      {state.phase === "expired" ? (
        <div className="sandbox-notice" role="status" data-testid="sandbox-expired">
          <p className="sandbox-notice__title">
            This sandbox expired at {clock(sandbox?.expiresAt ?? "")}.
          </p>
          <p>Its files are saved: recreate it with one click.</p>
        </div>
      ) : null}
      {state.fallback ? <SandboxFallbackNotice fallback={state.fallback} /> : null}
      {state.failure ? (
        <SandboxFailureNotice failure={state.failure} onRecreate={props.onRecreate} />
      ) : null}
      {state.error ? <SandboxErrorNotice error={state.error} /> : null}

      <SandboxSteps steps={state.steps} />
      {sandbox?.execution ? <SandboxResults execution={sandbox.execution} /> : null}
      {state.phase === "ready" && sandbox?.previewUrl ? (
        <iframe className="sandbox__preview" title="Sandbox preview" src={sandbox.previewUrl} />
      ) : null}
      {state.logs.length > 0 || state.phase === "running" ? (
        <SandboxLogs lines={state.logs} />
      ) : null}
    </div>
  );
}

function phaseLabel(state: SandboxState): string {
  switch (state.phase) {
    case "idle":
      return "Not running";
    case "running":
      return state.queuePosition !== null ? "Queued" : "Starting…";
    case "ready":
      return "Running";
    case "finished":
      return "Finished";
    case "failed":
      return "Failed";
    case "unavailable":
      return "Unavailable";
    case "expired":
      return "Expired";
    case "stopped":
      return "Stopped";
    case "error":
      return "Refused";
  }
}

function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
