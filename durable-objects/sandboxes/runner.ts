/**
 * One sandbox run, step by step: queue → create → write → install, then
 * start → ready for a web template, or run for Python. Each step reports its
 * status and timing; each failure is a structured outcome with the logs so
 * far. A URL is handed out only after the preview port has answered.
 */
import type { SandboxFallback, SandboxFile } from "../../contract/sandbox.ts";
import type { Admission } from "./admission.ts";
import type { E2bBreaker } from "./breaker.ts";
import { commandTimeoutMs, pollDelayMs } from "./deadlines.ts";
import {
  type CommandOutcome,
  createSandbox,
  killSandbox,
  type LiveSandbox,
  portAnswers,
  previewUrl,
  runCode,
  runCommand,
  startServer,
} from "./e2b.ts";
import { describeCommandFailure, describeNotReady, describeServerExit } from "./failures.ts";
import type { RunContext } from "./run-context.ts";
import { pythonEntry } from "./templates.ts";

/** Longest a request waits in the creation queue before falling back. */
const MAX_QUEUE_WAIT_MS = 120_000;

export type RunDependencies = {
  admit: (ticket: string) => Promise<Admission>;
  leaveQueue: (ticket: string) => Promise<void>;
  breaker: E2bBreaker;
  /** A ready sandbox from the warm pool, given the run's lifetime, or null. */
  takeWarm: (timeoutMs: number) => Promise<LiveSandbox | null>;
  /** Called once the run has reached its last state (ready counts), to rearm alarms. */
  onSettled: () => Promise<void>;
};

export async function runSandbox(
  run: RunContext,
  files: SandboxFile[],
  deps: RunDependencies,
): Promise<void> {
  try {
    await admitAndRun(run, files, deps);
  } finally {
    // Every way out, early ones included: a refused or failed create ends the sandbox too.
    await deps.onSettled();
  }
}

async function admitAndRun(run: RunContext, files: SandboxFile[], deps: RunDependencies) {
  const admitted = await waitForAdmission(run, deps);
  if (!admitted) return;

  const sandbox = await create(run, deps);
  if (!sandbox) return;

  try {
    const ok = (await writeFiles(run, sandbox, files)) && (await install(run, sandbox, files));
    if (!ok) return await stop(run);

    if (run.template.kind === "code") await runPython(run, sandbox, files);
    else if (!(await startAndWait(run, sandbox))) await stop(run);
  } catch (error) {
    // An SDK error nobody classified: the sandbox is stopped, not left to run unseen.
    run.fail({
      outcome: "sandbox_gone",
      step: "create",
      message: `The sandbox failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      hint: "Recreate the sandbox; if it keeps failing, the code still shows in the viewer.",
    });
    await stop(run);
  }
}

async function waitForAdmission(run: RunContext, deps: RunDependencies): Promise<boolean> {
  const endStep = run.step("queue");
  const startedAtMs = Date.now();

  while (Date.now() - startedAtMs < MAX_QUEUE_WAIT_MS) {
    const admission = await deps.admit(run.sandboxId);
    if (admission.granted) {
      endStep("done");
      run.store.update(run.sandboxId, { status: "starting" });
      return true;
    }
    run.emit({ type: "queued", position: admission.position, retryInMs: admission.retryInMs });
    await sleep(admission.retryInMs);
  }

  await deps.leaveQueue(run.sandboxId);
  endStep("failed", "waited too long for a creation slot");
  // Ended, not left queued: its team slot goes back now, not at its expiry.
  run.store.update(run.sandboxId, {
    status: "failed",
    ended_at: Date.now(),
    failure: JSON.stringify({
      outcome: "create_failed",
      step: "queue",
      message: "No sandbox could be created within two minutes.",
      hint: "Nothing to fix in your code: run it again in a moment.",
    }),
  });
  unavailable(run, {
    reason: "e2b_limit",
    message: "Sandboxes are in high demand and none could be created within two minutes.",
    stillWorks: run.template.browserFallback ? "browser" : "code_only",
  });
  return false;
}

async function create(run: RunContext, deps: RunDependencies): Promise<LiveSandbox | null> {
  const endStep = run.step("create", run.template.e2bTemplate);
  const row = run.row();

  const warm = await deps.takeWarm(Math.max(1_000, row.expires_at - Date.now()));
  if (warm) {
    run.store.update(run.sandboxId, { e2b_id: warm.sandboxId, e2b_started_at: Date.now() });
    endStep("done", `${run.template.e2bTemplate}, from the warm pool`);
    return warm;
  }
  const outcome = await createSandbox({
    connection: run.connection,
    e2bTemplate: run.template.e2bTemplate,
    codeInterpreter: run.template.kind === "code",
    timeoutMs: Math.max(1_000, row.expires_at - Date.now()),
    metadata: {
      kilnTeamId: run.teamId,
      kilnSandboxId: run.sandboxId,
      ...(row.conversation_id ? { kilnConversationId: row.conversation_id } : {}),
    },
    envs: run.template.port ? { PORT: String(run.template.port) } : {},
  });

  if (outcome.kind === "created") {
    deps.breaker.recordSuccess();
    run.store.update(run.sandboxId, {
      e2b_id: outcome.sandbox.sandboxId,
      e2b_started_at: Date.now(),
    });
    endStep("done");
    return outcome.sandbox;
  }

  endStep("failed", outcome.message);
  const limited = outcome.kind === "rate_limited";
  if (!limited) deps.breaker.recordFailure(Date.now());
  run.store.update(run.sandboxId, {
    status: "failed",
    ended_at: Date.now(),
    failure: JSON.stringify({
      outcome: "create_failed",
      step: "create",
      message: outcome.message,
      hint: "Nothing to fix in your code: the sandbox service could not start one.",
    }),
  });
  unavailable(run, {
    reason: limited ? "e2b_limit" : "e2b_down",
    message: limited
      ? "The sandbox service is at its limit right now and refused a new sandbox."
      : "The sandbox service failed to create a sandbox.",
    stillWorks: run.template.browserFallback ? "browser" : "code_only",
  });
  return null;
}

function unavailable(run: RunContext, fallback: SandboxFallback) {
  run.log("system", fallback.message);
  run.emit({ type: "unavailable", fallback });
}

async function writeFiles(run: RunContext, sandbox: LiveSandbox, files: SandboxFile[]) {
  const endStep = run.step("write", `${files.length} files`);
  try {
    await sandbox.files.write(
      files.map((file) => ({ path: `${run.template.workdir}/${file.path}`, data: file.content })),
    );
    endStep("done");
    return true;
  } catch (error) {
    endStep("failed");
    const message = error instanceof Error ? error.message : String(error);
    run.fail({
      outcome: "sandbox_gone",
      step: "write",
      message: `The files could not be written: the sandbox is gone (${message}).`,
      hint: "Recreate the sandbox from the saved files.",
    });
    return false;
  }
}

async function install(run: RunContext, sandbox: LiveSandbox, files: SandboxFile[]) {
  const install = run.template.install;
  if (!install || !files.some((file) => file.path === install.whenFile)) {
    run.skip("install", install ? `no ${install.whenFile}` : "nothing to install");
    return true;
  }

  const timeoutMs = commandTimeoutMs({
    stepTimeoutMs: run.template.timeoutsMs.install,
    expiresAtMs: run.expiresAtMs(),
    nowMs: Date.now(),
  });
  const endStep = run.step(
    "install",
    `${install.command} (timeout ${Math.round(timeoutMs / 1000)} s)`,
  );
  const outcome = await runCommand({
    sandbox,
    command: install.command,
    cwd: run.template.workdir,
    timeoutMs,
    onOutput: (_stream, text) => run.log("install", text),
  });
  if (outcome.kind === "ok") {
    endStep("done");
    return true;
  }
  endStep("failed");
  run.fail(describeCommandFailure({ outcome, step: "install", command: install.command }));
  return false;
}

async function startAndWait(run: RunContext, sandbox: LiveSandbox): Promise<boolean> {
  const { start, port, timeoutsMs, workdir } = run.template;
  if (!start || port === null) throw new Error(`template ${run.template.id} has no start command`);

  // The output is followed for the sandbox's whole life, not only until ready: the
  // deadline below is the listening deadline; readiness has its own (deadlineMs).
  const listenTimeoutMs = Math.max(0, run.expiresAtMs() - Date.now());
  const endStart = run.step("start", start.command);
  let stream: "start" | "runtime" = "start";
  const server = await startServer({
    sandbox,
    command: start.command,
    cwd: workdir,
    envs: { PORT: String(port) },
    timeoutMs: listenTimeoutMs,
    onOutput: (_stream, text) => run.log(stream, text),
  });
  if (!("exited" in server)) {
    endStart("failed");
    run.fail(describeCommandFailure({ outcome: server, step: "start", command: start.command }));
    return false;
  }
  endStart("done");

  const endReady = run.step("ready", `waiting for port ${port}`);
  let exit: CommandOutcome | null = null;
  void server.exited.then((outcome) => {
    // Our own listening deadline ending the output stream is not the server ending.
    if (outcome.kind !== "timed_out") exit = outcome;
  });

  const deadlineMs =
    Date.now() +
    commandTimeoutMs({
      stepTimeoutMs: timeoutsMs.ready,
      expiresAtMs: run.expiresAtMs(),
      nowMs: Date.now(),
    });
  for (let attempt = 0; Date.now() < deadlineMs; attempt += 1) {
    if (exit) break;
    if (await portAnswers({ connection: run.connection, sandbox, port })) {
      // From here on the app's output is runtime output, for the preview panel to follow.
      stream = "runtime";
      void server.exited.then((outcome) => {
        run.log("runtime", serverEndedLine(outcome));
        run.runtime.ended();
      });
      endReady("done", `port ${port} answered`);
      const url = previewUrl({ connection: run.connection, sandbox, port });
      run.store.update(run.sandboxId, { status: "ready", preview_url: url });
      run.emit({ type: "ready", sandbox: run.view() });
      return true;
    }
    await sleep(Math.min(pollDelayMs(attempt), Math.max(0, deadlineMs - Date.now())));
  }

  await server.stopListening();
  endReady("failed");
  const logs = run.store.logs(run.sandboxId).map((line) => line.text);
  run.fail(exit ? describeServerExit({ outcome: exit, logs }) : describeNotReady({ port, logs }));
  return false;
}

async function runPython(run: RunContext, sandbox: LiveSandbox, files: SandboxFile[]) {
  const entry = pythonEntry(files.map((file) => file.path));
  const code = files.find((file) => file.path === entry)?.content ?? "";
  const timeoutMs = commandTimeoutMs({
    stepTimeoutMs: run.template.timeoutsMs.run,
    expiresAtMs: run.expiresAtMs(),
    nowMs: Date.now(),
  });
  const endStep = run.step(
    "run",
    `${entry ?? "no .py file"} (timeout ${Math.round(timeoutMs / 1000)} s)`,
  );
  const outcome = await runCode({
    sandbox,
    code,
    timeoutMs,
    onOutput: (stream, text) => run.log(stream, text),
  });

  run.store.update(run.sandboxId, { execution: JSON.stringify(outcome.execution) });
  if (outcome.kind === "ok") {
    const error = outcome.execution.error;
    endStep(error ? "failed" : "done", error ? `${error.name}: ${error.value}` : undefined);
    if (error) run.log("stderr", error.traceback);
    run.store.update(run.sandboxId, { status: "finished", ended_at: Date.now() });
    await killQuietly(run);
    run.emit({ type: "finished", sandbox: run.view() });
    return;
  }
  endStep("failed");
  run.fail(describeCommandFailure({ outcome, step: "run", command: `python ${entry}` }));
  await stop(run);
}

function serverEndedLine(outcome: CommandOutcome): string {
  switch (outcome.kind) {
    case "ok":
      return "[the app's server exited]";
    case "exit_nonzero":
      return `[the app's server exited with code ${outcome.exitCode}]`;
    case "timed_out":
      return "[Kiln stopped following the output: the sandbox reached the end of its life]";
    case "sandbox_gone":
      return "[the sandbox ended]";
  }
}

/** Ends the E2B sandbox after a failure: nothing keeps running (or billing) unseen. */
async function stop(run: RunContext) {
  await killQuietly(run);
}

async function killQuietly(run: RunContext) {
  const e2bId = run.row().e2b_id;
  if (!e2bId) return;
  await killSandbox(run.connection, e2bId).catch(() => false);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
