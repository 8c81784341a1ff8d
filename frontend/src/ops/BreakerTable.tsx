import type { BreakerView } from "../../../contract/routing.ts";

export type BreakerTableProps = {
  teamId: string | null;
  breakers: BreakerView[];
  onRefresh: () => void;
};

const STATE_LABEL: Record<BreakerView["state"], string> = {
  closed: "closed (healthy)",
  open: "open (skipped)",
  half_open: "half-open (trial)",
};

/** The circuit breakers of the operator's active team. */
export function BreakerTable({ teamId, breakers, onRefresh }: BreakerTableProps) {
  return (
    <section className="ops-section" aria-labelledby="breakers-title">
      <div className="ops-section__head">
        <h2 id="breakers-title">Circuit breakers</h2>
        <button type="button" className="button button--small" onClick={onRefresh}>
          Refresh
        </button>
      </div>
      <p className="ops-hint">Team {teamId ?? "…"}. A provider appears once it has been called.</p>
      {breakers.length === 0 ? (
        <p className="ops-hint">No calls recorded yet.</p>
      ) : (
        <table className="ops-table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>State</th>
              <th>Calls / failures in window</th>
              <th>Trial at</th>
            </tr>
          </thead>
          <tbody>
            {breakers.map((breaker) => (
              <tr key={breaker.provider} data-testid={`breaker-${breaker.provider}`}>
                <td>{breaker.provider}</td>
                <td>{STATE_LABEL[breaker.state]}</td>
                <td>
                  {breaker.calls} / {breaker.failures}
                </td>
                <td>
                  {breaker.reopensAt ? new Date(breaker.reopensAt).toLocaleTimeString() : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
