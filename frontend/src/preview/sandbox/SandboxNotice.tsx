import type { SandboxFailure, SandboxFallback } from "../../../../contract/sandbox.ts";
import type { ApiError } from "../../api/errors.ts";

const STILL_WORKS: Record<SandboxFallback["stillWorks"], string> = {
  browser: "The in-browser preview still runs this app.",
  code_only:
    "The code is still here: read it, copy it or download it and run it on your own machine.",
};

const OUTCOME_TITLES: Record<SandboxFailure["outcome"], string> = {
  create_failed: "The sandbox could not be created",
  timed_out: "Timed out",
  exit_nonzero: "A command failed",
  sandbox_gone: "The sandbox is gone",
  not_ready: "The app never answered",
};

const CAUSE_TITLES: Record<NonNullable<SandboxFailure["cause"]>, string> = {
  install_failed: "Install failed",
  missing_script: "Missing script",
  wrong_port: "Wrong port",
  crashed: "The app crashed",
};

export function SandboxFallbackNotice({ fallback }: { fallback: SandboxFallback }) {
  return (
    <div
      className="sandbox-notice"
      role="status"
      data-testid="sandbox-fallback"
      data-reason={fallback.reason}
    >
      <p className="sandbox-notice__title">No sandbox: {fallback.message}</p>
      <p>{STILL_WORKS[fallback.stillWorks]}</p>
    </div>
  );
}

export function SandboxFailureNotice(props: { failure: SandboxFailure; onRecreate: () => void }) {
  const { failure } = props;
  const title = failure.cause ? CAUSE_TITLES[failure.cause] : OUTCOME_TITLES[failure.outcome];
  return (
    <div
      className="sandbox-notice sandbox-notice--error"
      role="alert"
      data-testid="sandbox-failure"
      data-outcome={failure.outcome}
    >
      <p className="sandbox-notice__title">
        {title} <span className="sandbox-notice__step">(step: {failure.step})</span>
      </p>
      <p>{failure.message}</p>
      <p className="sandbox-notice__hint">{failure.hint}</p>
      <button type="button" className="button button--small" onClick={props.onRecreate}>
        Recreate sandbox
      </button>
    </div>
  );
}

export function SandboxErrorNotice({ error }: { error: ApiError }) {
  return (
    <div className="sandbox-notice sandbox-notice--error" role="alert" data-testid="sandbox-error">
      <p className="sandbox-notice__title">{error.message}</p>
      {error.hint ? <p className="sandbox-notice__hint">{error.hint}</p> : null}
      <p>The code is still shown; web apps keep their in-browser preview.</p>
    </div>
  );
}
