import type { SandboxHealth } from "../../../../contract/observability.ts";
import { count, percent } from "../format.ts";

/** Sandbox starts and failures over the last hour, all teams. */
export function SandboxFailureRates({ sandboxes }: { sandboxes: SandboxHealth }) {
  return (
    <section className="obs-card" aria-label="Sandbox failure rate">
      <h3>Sandboxes</h3>
      <p className="small muted">Last hour, all teams.</p>
      <dl className="metrics-tiles">
        <div className="metrics-tile">
          <dt>Starts</dt>
          <dd>{count(sandboxes.starts)}</dd>
        </div>
        <div className="metrics-tile">
          <dt>Failures</dt>
          <dd>{count(sandboxes.failures)}</dd>
        </div>
        <div className="metrics-tile">
          <dt>Failure rate</dt>
          <dd>{percent(sandboxes.failureRate)}</dd>
        </div>
      </dl>
    </section>
  );
}
