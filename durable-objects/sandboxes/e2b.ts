/**
 * The E2B adapter: the official `e2b` SDK (and `@e2b/code-interpreter` for
 * Python) inside workerd. The SDK reads no env vars here (`process.env` is
 * not the Worker's env), so every call gets its connection explicitly.
 * Commands always run with an explicit timeout (deadlines.ts) and end in one
 * of a closed set of outcomes; the SDK's error classes stay in this file.
 */
import { Sandbox as CodeInterpreter } from "@e2b/code-interpreter";
import { CommandExitError, RateLimitError, Sandbox } from "e2b";
import type { SandboxExecution, SandboxResult } from "../../contract/sandbox.ts";
import type { E2bConnection } from "./settings.ts";

/** Bounds each control-plane call; the SDK's own default is 60 s. */
const CONTROL_PLANE_TIMEOUT_MS = 20_000;

export type LiveSandbox = Sandbox | CodeInterpreter;

export type CreateOutcome =
  | { kind: "created"; sandbox: LiveSandbox }
  | { kind: "rate_limited"; message: string }
  | { kind: "failed"; message: string };

export type CommandOutcome =
  | { kind: "ok" }
  | { kind: "exit_nonzero"; exitCode: number; message: string }
  | { kind: "timed_out"; timeoutMs: number }
  | { kind: "sandbox_gone"; message: string };

export type FailedCommand = Exclude<CommandOutcome, { kind: "ok" }>;

function options(connection: E2bConnection) {
  return {
    apiKey: connection.apiKey,
    ...(connection.apiUrl ? { apiUrl: connection.apiUrl } : {}),
    ...(connection.sandboxUrl ? { sandboxUrl: connection.sandboxUrl } : {}),
    ...(connection.apiHeaders ? { apiHeaders: connection.apiHeaders } : {}),
    requestTimeoutMs: CONTROL_PLANE_TIMEOUT_MS,
  };
}

export async function createSandbox(input: {
  connection: E2bConnection;
  e2bTemplate: string;
  codeInterpreter: boolean;
  timeoutMs: number;
  metadata: Record<string, string>;
  /** Only what the app needs (PORT and the like): never Kiln's own env. */
  envs: Record<string, string>;
}): Promise<CreateOutcome> {
  const createOptions = {
    ...options(input.connection),
    timeoutMs: input.timeoutMs,
    metadata: input.metadata,
    envs: input.envs,
  };
  try {
    const sandbox = input.codeInterpreter
      ? await CodeInterpreter.create(input.e2bTemplate, createOptions)
      : await Sandbox.create(input.e2bTemplate, createOptions);
    return { kind: "created", sandbox };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof RateLimitError) return { kind: "rate_limited", message };
    return { kind: "failed", message };
  }
}

/** Reattaches to a running sandbox (a warm one) and sets its remaining life. */
export async function connectSandbox(input: {
  connection: E2bConnection;
  e2bId: string;
  codeInterpreter: boolean;
  timeoutMs: number;
}): Promise<LiveSandbox> {
  const connectOptions = { ...options(input.connection), timeoutMs: input.timeoutMs };
  return input.codeInterpreter
    ? CodeInterpreter.connect(input.e2bId, connectOptions)
    : Sandbox.connect(input.e2bId, connectOptions);
}

export async function killSandbox(connection: E2bConnection, e2bId: string): Promise<boolean> {
  return Sandbox.kill(e2bId, options(connection));
}

export async function extendSandbox(connection: E2bConnection, e2bId: string, timeoutMs: number) {
  await Sandbox.setTimeout(e2bId, timeoutMs, options(connection));
}

/** Runs a command to its end (install), under an explicit deadline. */
export async function runCommand(input: {
  sandbox: LiveSandbox;
  command: string;
  cwd: string;
  timeoutMs: number;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
}): Promise<CommandOutcome> {
  const { sandbox, timeoutMs } = input;
  if (timeoutMs <= 0) return { kind: "sandbox_gone", message: "no sandbox life left to run in" };

  let pid: number | undefined;
  try {
    const handle = await sandbox.commands.run(input.command, {
      background: true,
      cwd: input.cwd,
      timeoutMs,
      requestTimeoutMs: Math.min(timeoutMs, CONTROL_PLANE_TIMEOUT_MS),
      onStdout: (text) => input.onOutput("stdout", text),
      onStderr: (text) => input.onOutput("stderr", text),
    });
    pid = handle.pid;
    await handle.wait();
    return { kind: "ok" };
  } catch (error) {
    return classifyFailure({ sandbox, error, pid, timeoutMs });
  }
}

/**
 * Tells the three endings apart: a non-zero exit carries its code; a dead
 * sandbox fails its health probe; anything else past the deadline timed out,
 * and its process is killed so it cannot run on unseen.
 */
async function classifyFailure(input: {
  sandbox: LiveSandbox;
  error: unknown;
  pid: number | undefined;
  timeoutMs: number;
}): Promise<FailedCommand> {
  const { sandbox, error, pid } = input;
  if (error instanceof CommandExitError) {
    return {
      kind: "exit_nonzero",
      exitCode: error.exitCode,
      message: error.error ?? error.message,
    };
  }

  const alive = await sandbox.isRunning({ requestTimeoutMs: 5_000 }).catch(() => false);
  const message = error instanceof Error ? error.message : String(error);
  if (!alive) return { kind: "sandbox_gone", message };

  if (pid !== undefined) await sandbox.commands.kill(pid).catch(() => false);
  return { kind: "timed_out", timeoutMs: input.timeoutMs };
}

export type StartedServer = {
  /** Settles when the server process ends (it should not, while serving). */
  exited: Promise<CommandOutcome>;
  stopListening(): Promise<void>;
};

/** Starts a long-running server; its output streams until `stopListening`. */
export async function startServer(input: {
  sandbox: LiveSandbox;
  command: string;
  cwd: string;
  envs: Record<string, string>;
  timeoutMs: number;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
}): Promise<StartedServer | FailedCommand> {
  const { sandbox, timeoutMs } = input;
  if (timeoutMs <= 0) return { kind: "sandbox_gone", message: "no sandbox life left to run in" };
  try {
    const handle = await sandbox.commands.run(input.command, {
      background: true,
      cwd: input.cwd,
      envs: input.envs,
      timeoutMs,
      requestTimeoutMs: Math.min(timeoutMs, CONTROL_PLANE_TIMEOUT_MS),
      onStdout: (text) => input.onOutput("stdout", text),
      onStderr: (text) => input.onOutput("stderr", text),
    });
    const exited = handle.wait().then(
      (): CommandOutcome => ({ kind: "ok" }),
      (error: unknown) => classifyFailure({ sandbox, error, pid: undefined, timeoutMs }),
    );
    return { exited, stopListening: () => handle.disconnect() };
  } catch (error) {
    return classifyFailure({ sandbox, error, pid: undefined, timeoutMs });
  }
}

export type RunCodeOutcome =
  | { kind: "ok"; execution: SandboxExecution }
  | { kind: "timed_out"; timeoutMs: number; execution: SandboxExecution }
  | { kind: "sandbox_gone"; message: string; execution: SandboxExecution };

/** Runs Python in the code interpreter, keeping partial output if it is cut short. */
export async function runCode(input: {
  sandbox: LiveSandbox;
  code: string;
  timeoutMs: number;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
}): Promise<RunCodeOutcome> {
  const partial: SandboxExecution = { stdout: [], stderr: [], results: [] };
  if (!(input.sandbox instanceof CodeInterpreter)) {
    throw new Error("runCode needs a code-interpreter sandbox");
  }
  if (input.timeoutMs <= 0) {
    return { kind: "sandbox_gone", message: "no sandbox life left", execution: partial };
  }

  try {
    const execution = await input.sandbox.runCode(input.code, {
      language: "python",
      timeoutMs: input.timeoutMs,
      requestTimeoutMs: Math.min(input.timeoutMs, CONTROL_PLANE_TIMEOUT_MS),
      onStdout: (output) => {
        partial.stdout.push(output.line);
        input.onOutput("stdout", output.line);
      },
      onStderr: (output) => {
        partial.stderr.push(output.line);
        input.onOutput("stderr", output.line);
      },
    });
    return {
      kind: "ok",
      execution: {
        stdout: execution.logs.stdout,
        stderr: execution.logs.stderr,
        results: execution.results.map(
          (result): SandboxResult => ({
            isMain: result.isMainResult,
            ...(result.text ? { text: result.text } : {}),
            ...(result.html ? { html: result.html } : {}),
            ...(result.png ? { png: result.png } : {}),
            ...(result.jpeg ? { jpeg: result.jpeg } : {}),
            ...(result.svg ? { svg: result.svg } : {}),
            ...(result.markdown ? { markdown: result.markdown } : {}),
          }),
        ),
        ...(execution.error
          ? {
              error: {
                name: execution.error.name,
                value: execution.error.value,
                traceback: execution.error.traceback,
              },
            }
          : {}),
      },
    };
  } catch (error) {
    const alive = await input.sandbox.isRunning({ requestTimeoutMs: 5_000 }).catch(() => false);
    const message = error instanceof Error ? error.message : String(error);
    if (!alive) return { kind: "sandbox_gone", message, execution: partial };
    return { kind: "timed_out", timeoutMs: input.timeoutMs, execution: partial };
  }
}

/** Does the port answer? E2B's edge says 502 for a closed port. */
export async function portAnswers(input: {
  connection: E2bConnection;
  sandbox: LiveSandbox;
  port: number;
}): Promise<boolean> {
  const url = input.connection.sandboxUrl ?? `https://${input.sandbox.getHost(input.port)}`;
  try {
    const response = await fetch(url, {
      headers: {
        "E2b-Sandbox-Id": input.sandbox.sandboxId,
        "E2b-Sandbox-Port": String(input.port),
      },
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    return response.status < 500;
  } catch {
    return false;
  }
}

/** The URL people open: `https://<port>-<id>.<domain>`, plain http against the local simulator. */
export function previewUrl(input: {
  connection: E2bConnection;
  sandbox: LiveSandbox;
  port: number;
}): string {
  const scheme = input.connection.sandboxUrl?.startsWith("http://") ? "http" : "https";
  return `${scheme}://${input.sandbox.getHost(input.port)}/`;
}
