/**
 * One sandbox run as UI state: the steps, logs and outcome streamed from the
 * Worker, the queue position while waiting, the fallback when there is no
 * sandbox, keep-alive while the preview is open, the running app's output
 * after "ready" (followed on its own stream, the newest lines kept), and the
 * expired state afterwards (with recreate from the saved files).
 */
import { useCallback, useEffect, useReducer, useRef } from "react";
import {
  MAX_RUNTIME_LOG_LINES,
  type SandboxCreateRequest,
  type SandboxFailure,
  type SandboxFallback,
  type SandboxLogLine,
  type SandboxStep,
  type SandboxStreamEvent,
  type SandboxView,
} from "../../../../contract/sandbox.ts";
import type { ApiError } from "../../api/errors.ts";
import { keepAliveDelayMs } from "./keep-alive.ts";
import { getSandbox, keepSandboxAlive, stopSandbox, streamSandboxRun } from "./sandbox-api.ts";

export type SandboxState = {
  phase:
    | "idle"
    | "running"
    | "ready"
    | "finished"
    | "failed"
    | "unavailable"
    | "expired"
    | "stopped"
    | "error";
  sandbox: SandboxView | null;
  steps: SandboxStep[];
  logs: SandboxLogLine[];
  queuePosition: number | null;
  failure: SandboxFailure | null;
  fallback: SandboxFallback | null;
  error: ApiError | null;
};

const INITIAL: SandboxState = {
  phase: "idle",
  sandbox: null,
  steps: [],
  logs: [],
  queuePosition: null,
  failure: null,
  fallback: null,
  error: null,
};

type Action =
  | { type: "start" }
  | { type: "event"; event: SandboxStreamEvent }
  | { type: "error"; error: ApiError }
  | { type: "sandbox"; sandbox: SandboxView }
  /** The runtime stream (re)opened: it replays the saved runtime lines, so drop ours. */
  | { type: "follow" };

function reduce(state: SandboxState, action: Action): SandboxState {
  switch (action.type) {
    case "start":
      return { ...INITIAL, phase: "running" };
    case "error":
      return { ...state, phase: "error", error: action.error };
    case "sandbox":
      return { ...state, sandbox: action.sandbox, phase: phaseOf(action.sandbox, state.phase) };
    case "follow":
      return { ...state, logs: state.logs.filter((line) => line.stream !== "runtime") };
    case "event":
      return reduceEvent(state, action.event);
  }
}

function reduceEvent(state: SandboxState, event: SandboxStreamEvent): SandboxState {
  switch (event.type) {
    case "sandbox":
      return { ...state, sandbox: event.sandbox };
    case "queued":
      return { ...state, queuePosition: event.position };
    case "step": {
      const steps = state.steps.filter((step) => step.name !== event.step.name);
      const queuePosition =
        event.step.name === "queue" && event.step.status !== "running" ? null : state.queuePosition;
      return { ...state, steps: [...steps, event.step], queuePosition };
    }
    case "log":
      return { ...state, logs: appendLine(state.logs, event.line) };
    case "ready":
      return { ...state, phase: "ready", sandbox: event.sandbox };
    case "finished":
      return { ...state, phase: "finished", sandbox: event.sandbox };
    case "failed":
      return { ...state, phase: "failed", sandbox: event.sandbox, failure: event.failure };
    case "unavailable":
      return { ...state, phase: "unavailable", fallback: event.fallback, queuePosition: null };
    case "error":
      return {
        ...state,
        phase: "error",
        error: {
          code: event.code,
          message: event.message,
          ...(event.hint ? { hint: event.hint } : {}),
        },
      };
  }
}

/** Appends a line; runtime lines beyond the newest MAX_RUNTIME_LOG_LINES are dropped. */
function appendLine(logs: SandboxLogLine[], line: SandboxLogLine): SandboxLogLine[] {
  const next = [...logs, line];
  if (line.stream !== "runtime") return next;
  let excess = next.filter((each) => each.stream === "runtime").length - MAX_RUNTIME_LOG_LINES;
  if (excess <= 0) return next;
  return next.filter((each) => each.stream !== "runtime" || excess-- <= 0);
}

function phaseOf(sandbox: SandboxView, current: SandboxState["phase"]): SandboxState["phase"] {
  if (sandbox.status === "expired") return "expired";
  if (sandbox.status === "stopped") return "stopped";
  return current;
}

export function useSandbox() {
  const [state, dispatch] = useReducer(reduce, INITIAL);
  const controller = useRef<AbortController | null>(null);

  const run = useCallback(async (path: string, body?: SandboxCreateRequest) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    dispatch({ type: "start" });

    const outcome = await streamSandboxRun({
      path,
      ...(body ? { body } : {}),
      signal: abort.signal,
      onEvent: (event) => dispatch({ type: "event", event }),
    });
    if (outcome.kind === "error") dispatch({ type: "error", error: outcome.error });
    if (outcome.kind === "cut") {
      dispatch({
        type: "error",
        error: {
          code: "stream_cut",
          message: "The connection to the sandbox run dropped.",
          hint: "The sandbox keeps its state; reopen the preview or recreate it.",
        },
      });
    }
  }, []);

  const start = useCallback((body: SandboxCreateRequest) => run("/api/sandbox", body), [run]);
  const sandboxId = state.sandbox?.id ?? null;

  const recreate = useCallback(() => {
    if (sandboxId) void run(`/api/sandbox/${sandboxId}/recreate`);
  }, [run, sandboxId]);

  const stop = useCallback(async () => {
    if (!sandboxId) return;
    const result = await stopSandbox(sandboxId);
    if (result.ok) dispatch({ type: "sandbox", sandbox: result.data.sandbox });
  }, [sandboxId]);

  useKeepAlive(state.phase === "ready" ? state.sandbox : null, dispatch);
  useRuntimeLogs(state.phase === "ready" ? sandboxId : null, dispatch);
  useExpiry(state.phase === "ready" ? state.sandbox : null, dispatch);

  useEffect(() => () => controller.current?.abort(), []);

  return { state, start, recreate, stop };
}

/**
 * While the preview is open, ask for more time before the sandbox ends (the
 * plan caps it): each ask is timed from the expiry the last answer gave, so
 * a short operator TTL is kept alive too. A failed ask is tried again on
 * the same clock.
 */
function useKeepAlive(sandbox: SandboxView | null, dispatch: (action: Action) => void) {
  const sandboxId = sandbox?.id ?? null;
  const expiresAt = sandbox?.expiresAt ?? null;

  useEffect(() => {
    if (!sandboxId || !expiresAt) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;

    const ask = async (expiresAtMs: number) => {
      const result = await keepSandboxAlive(sandboxId);
      if (cancelled) return;
      if (result.ok) dispatch({ type: "sandbox", sandbox: result.data.sandbox });
      else if (result.error.code === "sandbox_expired") return refresh(sandboxId, dispatch);
      schedule(result.ok ? Date.parse(result.data.sandbox.expiresAt) : expiresAtMs);
    };
    const schedule = (expiresAtMs: number) => {
      const delayMs = keepAliveDelayMs({ expiresAtMs, nowMs: Date.now() });
      timer = setTimeout(() => void ask(expiresAtMs), delayMs);
    };
    schedule(Date.parse(expiresAt));

    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [sandboxId, expiresAt, dispatch]);
}

/** How often, and how many times in a row, a cut runtime stream is reopened. */
const FOLLOW_RETRY_MS = 2_000;
const FOLLOW_MAX_RETRIES = 5;

/**
 * While the app runs, follow its output; the stream ends with the sandbox's
 * last view. A cut stream is reopened a few times (it replays what was saved).
 */
function useRuntimeLogs(sandboxId: string | null, dispatch: (action: Action) => void) {
  useEffect(() => {
    if (!sandboxId) return;
    const abort = new AbortController();
    const follow = async () => {
      for (let retries = 0; retries <= FOLLOW_MAX_RETRIES && !abort.signal.aborted; retries++) {
        let first = true;
        const outcome = await streamSandboxRun({
          path: `/api/sandbox/${sandboxId}/logs/stream`,
          method: "GET",
          signal: abort.signal,
          onEvent: (event) => {
            if (first) dispatch({ type: "follow" });
            first = false;
            if (event.type === "sandbox") dispatch({ type: "sandbox", sandbox: event.sandbox });
            else if (event.type === "log") dispatch({ type: "event", event });
          },
        });
        if (outcome.kind !== "cut") return;
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_RETRY_MS));
      }
    };
    void follow();
    return () => abort.abort();
  }, [sandboxId, dispatch]);
}

/** At the expiry time, ask the server: it answers "expired", never a dead URL. */
function useExpiry(sandbox: SandboxView | null, dispatch: (action: Action) => void) {
  const id = sandbox?.id;
  const expiresAt = sandbox?.expiresAt;
  useEffect(() => {
    if (!id || !expiresAt) return;
    const delay = Math.max(0, Date.parse(expiresAt) - Date.now()) + 500;
    const timer = setTimeout(() => void refresh(id, dispatch), delay);
    return () => clearTimeout(timer);
  }, [id, expiresAt, dispatch]);
}

async function refresh(sandboxId: string, dispatch: (action: Action) => void) {
  const result = await getSandbox(sandboxId);
  if (result.ok) dispatch({ type: "sandbox", sandbox: result.data.sandbox });
}
