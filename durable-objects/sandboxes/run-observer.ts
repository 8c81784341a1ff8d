/**
 * The seam through which the team object watches one sandbox run without
 * the run knowing what is done with it (the trace's sandbox hop lives in
 * durable-objects/observability/sandbox-runs.ts). `open` calls it once a
 * run is accepted; the headers go on every E2B control-plane call of that
 * run, and `settled` is called once when the run has ended or is ready,
 * whichever way it went (a failed create and a queue timeout included).
 */
import type { SandboxView } from "../../contract/sandbox.ts";

export type SandboxRunObserver = (run: {
  sandboxId: string;
  teamId: string;
  /** The caller's W3C `traceparent`, when it sent one. */
  traceparent?: string;
}) => {
  apiHeaders: Record<string, string>;
  settled(view: SandboxView): void;
};
