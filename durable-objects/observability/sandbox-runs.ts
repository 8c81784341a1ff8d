/**
 * What the team object observes of one sandbox run, through the sandbox
 * module's run-observer seam:
 * - the sandbox hop of the trace: a span for the team object's part of the
 *   run (a child of the Worker's span) and a client span for the E2B create
 *   call (its child, whose `traceparent` rides on the control-plane
 *   requests, so E2B's side can be joined too), exported when it settles;
 * - one `sandbox.run` log line carrying the same trace id;
 * - the start for the team's and the platform's figures, counted when the
 *   run settles (not when the sandbox ends, which for a preview can be
 *   half an hour later). A start succeeded only when its sandbox became
 *   "ready" (a web app answering on its port) or "finished" (a Python run
 *   that ran to its end); every other start is a failure, whoever caused it
 *   (creation failed, the sandbox vanished, install failed, the app crashed
 *   or never listened, a command timed out), the same runs the sandbox log
 *   records as `failed`. A run that never reached the create step (refused
 *   in the creation queue) is no start.
 */
import type { SandboxView } from "../../contract/sandbox.ts";
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";
import { exportSpans, otlpSettings, type Span } from "../../worker/observability/spans.ts";
import {
  childTrace,
  continueTrace,
  formatTraceparent,
  type TraceContext,
} from "../../worker/observability/trace.ts";
import type { SandboxRunObserver } from "../sandboxes/run-observer.ts";

/** How a started run settles when it worked; anything else at settle time is a failed start. */
const STARTED_STATUSES = new Set<SandboxView["status"]>(["ready", "finished"]);

export function observedSandboxRuns(options: {
  env: Env;
  waitUntil: (work: Promise<unknown>) => void;
  recordStart: (start: { teamId: string; failed: boolean }) => void;
}): SandboxRunObserver {
  const { env, waitUntil } = options;
  return (run) => {
    const startedAtMs = Date.now();
    const team = continueTrace(run.traceparent);
    const e2b = childTrace(team);
    return {
      apiHeaders: { traceparent: formatTraceparent(e2b) },
      settled(view) {
        const endedAtMs = Date.now();
        const failed = view.status === "failed";
        const outcome = view.failure?.outcome ?? null;
        if (view.steps.some((step) => step.name === "create")) {
          options.recordStart({ teamId: run.teamId, failed: !STARTED_STATUSES.has(view.status) });
        }
        logger.info("sandbox.run", {
          traceId: team.traceId,
          teamId: run.teamId,
          sandboxId: run.sandboxId,
          template: view.template,
          status: view.status,
          outcome,
          failedStep: view.failure?.step ?? null,
          latencyMs: endedAtMs - startedAtMs,
        });
        waitUntil(
          exportSpans({
            settings: otlpSettings(env, "kiln-team-gateway"),
            version: env.KILN_VERSION,
            spans: sandboxSpans({ team, e2b, view, startedAtMs, endedAtMs, failed }),
          }),
        );
      },
    };
  };
}

function sandboxSpans(options: {
  team: TraceContext;
  e2b: TraceContext;
  view: SandboxView;
  startedAtMs: number;
  endedAtMs: number;
  failed: boolean;
}): Span[] {
  const { view } = options;
  const teamSpan: Span = {
    name: "team_gateway.sandbox",
    kind: "internal",
    trace: options.team,
    startMs: options.startedAtMs,
    endMs: options.endedAtMs,
    failed: options.failed,
    attributes: {
      "kiln.sandbox_id": view.id,
      "kiln.sandbox.template": view.template,
      "kiln.outcome": view.status,
      "kiln.error_kind": view.failure?.outcome,
    },
  };

  // The create step's own timing; a run refused before it (queue timeout) made no E2B call.
  const create = view.steps.find((step) => step.name === "create");
  if (!create || create.status === "running") return [teamSpan];
  const createStartMs = Date.parse(create.startedAt);
  return [
    teamSpan,
    {
      name: "e2b sandbox.create",
      kind: "client",
      trace: options.e2b,
      startMs: createStartMs,
      endMs: createStartMs + (create.durationMs ?? 0),
      failed: create.status === "failed",
      attributes: { "kiln.sandbox_id": view.id, "kiln.step.detail": create.detail },
    },
  ];
}
