import type { SandboxStep, SandboxStepName } from "../../../../contract/sandbox.ts";

const STEP_LABELS: Record<SandboxStepName, string> = {
  queue: "Wait for a slot",
  create: "Create sandbox",
  write: "Write files",
  install: "Install",
  start: "Start server",
  ready: "Port answers",
  run: "Run code",
};

const STATUS_LABELS: Record<SandboxStep["status"], string> = {
  running: "running…",
  done: "done",
  failed: "failed",
  skipped: "skipped",
};

/** The steps so far, each with its status and how long it took. */
export function SandboxSteps({ steps }: { steps: SandboxStep[] }) {
  if (steps.length === 0) return null;
  return (
    <ol className="sandbox-steps" aria-label="Sandbox steps">
      {steps.map((step) => (
        <li
          key={step.name}
          className={`sandbox-step sandbox-step--${step.status}`}
          data-testid={`sandbox-step-${step.name}`}
          data-status={step.status}
        >
          <span className="sandbox-step__name">{STEP_LABELS[step.name]}</span>
          <span className="sandbox-step__status">{STATUS_LABELS[step.status]}</span>
          {step.durationMs !== undefined ? (
            <span className="sandbox-step__time">{formatDuration(step.durationMs)}</span>
          ) : null}
          {step.detail ? <span className="sandbox-step__detail">{step.detail}</span> : null}
        </li>
      ))}
    </ol>
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
