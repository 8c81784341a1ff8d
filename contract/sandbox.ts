/**
 * The sandbox part of the HTTP contract (`/api/sandbox`), shared by the
 * Worker and the SPA. A run is streamed as SSE: each event's `event:` field
 * is the `type` below and its `data:` the JSON of the whole event.
 */
import { z } from "zod";

/** Templates that run on a server in an E2B sandbox. */
export const sandboxTemplateIdSchema = z.enum(["python", "vite-react", "nextjs"]);
export type SandboxTemplateId = z.infer<typeof sandboxTemplateIdSchema>;

/**
 * Which sandbox template an answer's `template=` value asks for. `react` may
 * run in a sandbox too, but it previews in the browser without one.
 */
export function sandboxTemplateFor(declared: string | null): SandboxTemplateId | null {
  switch (declared?.toLowerCase()) {
    case "python":
    case "py":
      return "python";
    case "nextjs":
    case "next":
      return "nextjs";
    case "react":
    case "vite":
    case "vite-react":
      return "vite-react";
    default:
      return null;
  }
}

export const MAX_SANDBOX_FILES = 60;
export const MAX_SANDBOX_FILE_CHARS = 200_000;
export const MAX_SANDBOX_TOTAL_CHARS = 1_000_000;

const sandboxFileSchema = z.object({
  path: z
    .string()
    .min(1)
    .max(300)
    .refine((path) => !path.split("/").includes(".."), "paths may not contain '..'"),
  content: z.string().max(MAX_SANDBOX_FILE_CHARS),
});

export const sandboxCreateRequestSchema = z.object({
  template: sandboxTemplateIdSchema,
  conversationId: z.uuid().optional(),
  files: z
    .array(sandboxFileSchema)
    .min(1)
    .max(MAX_SANDBOX_FILES)
    .refine(
      (files) =>
        files.reduce((sum, file) => sum + file.content.length, 0) <= MAX_SANDBOX_TOTAL_CHARS,
      `files may hold at most ${MAX_SANDBOX_TOTAL_CHARS} characters in all`,
    ),
});
export type SandboxCreateRequest = z.infer<typeof sandboxCreateRequestSchema>;
export type SandboxFile = z.infer<typeof sandboxFileSchema>;

export const SANDBOX_STEPS = [
  "queue",
  "create",
  "write",
  "install",
  "start",
  "ready",
  "run",
] as const;
export type SandboxStepName = (typeof SANDBOX_STEPS)[number];

export type SandboxStep = {
  name: SandboxStepName;
  status: "running" | "done" | "failed" | "skipped";
  startedAt: string;
  durationMs?: number;
  detail?: string;
};

/**
 * Runtime lines (the running app's output after "ready") kept per sandbox:
 * the newest ones, older ones dropped, in storage and in the preview panel.
 */
export const MAX_RUNTIME_LOG_LINES = 200;

/** Where a log line came from. */
export type SandboxLogStream = "install" | "start" | "runtime" | "stdout" | "stderr" | "system";
export type SandboxLogLine = { stream: SandboxLogStream; text: string; at: string };

export type SandboxStatus =
  | "queued"
  | "starting"
  | "ready"
  | "finished"
  | "failed"
  | "expired"
  | "stopped";

/**
 * How a step ended when it did not succeed. `timed_out`, `exit_nonzero` and
 * `sandbox_gone` stay distinct (case X1); `not_ready` is a server that never
 * answered on its port.
 */
export type SandboxOutcome =
  | "create_failed"
  | "timed_out"
  | "exit_nonzero"
  | "sandbox_gone"
  | "not_ready";

/** Why a start failed, in words people know. */
export type SandboxCause = "install_failed" | "missing_script" | "wrong_port" | "crashed";

export type SandboxFailure = {
  outcome: SandboxOutcome;
  cause?: SandboxCause;
  step: SandboxStepName;
  message: string;
  hint: string;
  exitCode?: number;
  /** The deadline the command ran under (never past the sandbox's end of life). */
  timeoutMs?: number;
};

/** Why there is no sandbox, and what still works. */
export type SandboxUnavailableReason =
  | "unconfigured"
  | "switched_off"
  | "e2b_down"
  | "e2b_limit"
  | "breaker_open";

export type SandboxFallback = {
  reason: SandboxUnavailableReason;
  message: string;
  /** `browser`: web templates preview in the browser; `code_only`: the code is shown. */
  stillWorks: "browser" | "code_only";
};

/** A rich result of a Python run: charts, tables, text. */
export type SandboxResult = {
  isMain: boolean;
  text?: string;
  html?: string;
  png?: string;
  jpeg?: string;
  svg?: string;
  markdown?: string;
  json?: unknown;
};

export type SandboxExecution = {
  stdout: string[];
  stderr: string[];
  results: SandboxResult[];
  error?: { name: string; value: string; traceback: string };
};

export type SandboxView = {
  id: string;
  template: SandboxTemplateId;
  conversationId: string | null;
  status: SandboxStatus;
  createdAt: string;
  /** When the sandbox ends unless kept alive; in every response. */
  expiresAt: string;
  /** The latest keep-alive can move `expiresAt` to; set by the plan. */
  maxExpiresAt: string;
  previewUrl: string | null;
  simulated: boolean;
  steps: SandboxStep[];
  failure: SandboxFailure | null;
  execution: SandboxExecution | null;
  /** Seconds the sandbox has run (counted in the team's usage). */
  sandboxSeconds: number;
};

export type SandboxStreamEvent =
  | { type: "sandbox"; sandbox: SandboxView }
  | { type: "queued"; position: number; retryInMs: number }
  | { type: "step"; step: SandboxStep }
  | { type: "log"; line: SandboxLogLine }
  | { type: "ready"; sandbox: SandboxView }
  | { type: "finished"; sandbox: SandboxView }
  | { type: "failed"; sandbox: SandboxView; failure: SandboxFailure }
  | { type: "unavailable"; fallback: SandboxFallback }
  | { type: "error"; code: string; message: string; hint?: string };

export type SandboxLogsResponse = { sandboxId: string; lines: SandboxLogLine[]; expiresAt: string };

/** Answer for a sandbox that has ended: never a dead URL. */
export type SandboxStatusResponse = { sandbox: SandboxView; canRecreate: boolean };

export const sandboxSettingsSchema = z.object({
  /** The operator kill switch: no new sandboxes while true. */
  disabled: z.boolean().optional(),
  ttlSeconds: z.number().int().min(5).max(3600).optional(),
  maxLifetimeSeconds: z
    .number()
    .int()
    .min(5)
    .max(24 * 3600)
    .optional(),
  maxConcurrentPerTeam: z.number().int().min(0).max(100).optional(),
  creationsPerMinute: z.number().int().min(1).max(10_000).optional(),
  warmPool: z.partialRecord(sandboxTemplateIdSchema, z.number().int().min(0).max(10)).optional(),
});
export type SandboxSettingsOverride = z.infer<typeof sandboxSettingsSchema>;
