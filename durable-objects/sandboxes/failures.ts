/**
 * Failures in words: what happened, in which step, and what to do next. The
 * outcome (timed out, non-zero exit, sandbox gone, not ready) is the
 * machine-readable part; the cause names a start failure people recognise
 * (install failed, missing script, wrong port, crash), read off the logs.
 */
import type { SandboxFailure, SandboxStepName } from "../../contract/sandbox.ts";
import type { CommandOutcome } from "./e2b.ts";

export function describeCommandFailure(input: {
  outcome: Exclude<CommandOutcome, { kind: "ok" }>;
  step: SandboxStepName;
  command: string;
}): SandboxFailure {
  const { outcome, step, command } = input;
  const installing = step === "install";

  if (outcome.kind === "timed_out") {
    return {
      outcome: "timed_out",
      ...(installing ? { cause: "install_failed" as const } : {}),
      step,
      timeoutMs: outcome.timeoutMs,
      message: `\`${command}\` did not finish within ${Math.round(outcome.timeoutMs / 1000)} s and was stopped.`,
      hint: installing
        ? "An install that hangs usually waits on a registry or a prompt; check the install log."
        : "The code ran past its time limit; look for an endless loop or a long wait.",
    };
  }
  if (outcome.kind === "exit_nonzero") {
    return {
      outcome: "exit_nonzero",
      ...(installing ? { cause: "install_failed" as const } : {}),
      step,
      exitCode: outcome.exitCode,
      message: `\`${command}\` exited with code ${outcome.exitCode}.`,
      hint: installing
        ? "The install failed: check the package names and versions in the install log."
        : "The command failed; the log shows its output.",
    };
  }
  return {
    outcome: "sandbox_gone",
    step,
    message: "The sandbox ended while it was working (it reached its end of life or was stopped).",
    hint: "Recreate the sandbox from the saved files.",
  };
}

/** The dev server ended by itself: a missing script, or a crash. */
export function describeServerExit(input: {
  outcome: CommandOutcome;
  logs: string[];
}): SandboxFailure {
  const { outcome, logs } = input;
  if (outcome.kind === "sandbox_gone" || outcome.kind === "timed_out") {
    return describeCommandFailure({ outcome, step: "start", command: "the dev server" });
  }
  const exitCode = outcome.kind === "exit_nonzero" ? outcome.exitCode : 0;
  const missing = logs.map((line) => /Missing script: "?([^"\s]+)"?/.exec(line)?.[1]).find(Boolean);
  if (missing) {
    return {
      outcome: "exit_nonzero",
      cause: "missing_script",
      step: "start",
      exitCode,
      message: `package.json has no "${missing}" script, so the dev server could not start.`,
      hint: `Add a "${missing}" script to package.json (or ask for the app again).`,
    };
  }
  return {
    outcome: "exit_nonzero",
    cause: "crashed",
    step: "start",
    exitCode,
    message: `The dev server crashed at start (exit code ${exitCode}).`,
    hint: "The start log shows the error; fix it and recreate the sandbox.",
  };
}

/** The server kept running but the port never answered. */
export function describeNotReady(input: { port: number; logs: string[] }): SandboxFailure {
  const listening = input.logs
    .map((line) => /localhost:(\d{2,5})/.exec(line)?.[1])
    .find((found) => found !== undefined && Number(found) !== input.port);
  return {
    outcome: "not_ready",
    cause: "wrong_port",
    step: "ready",
    message: listening
      ? `The app listens on port ${listening}, but the preview expects port ${input.port}.`
      : `Nothing answered on port ${input.port} in time.`,
    hint: `Make the dev server listen on port ${input.port} (for example \`--port ${input.port}\`), then recreate.`,
  };
}
