import type { ProviderHealth } from "../../../../contract/observability.ts";
import { count, percent } from "../format.ts";

/** A rate worth an operator's eye; the alert threshold is in alert-rules.ts. */
const BAD_RATE = 0.2;

/** Each provider's calls and error rate over the last 15 minutes. */
export function ProviderErrorRates({ providers }: { providers: ProviderHealth[] }) {
  return (
    <section className="obs-card" aria-label="Provider error rates">
      <h3>Provider error rates</h3>
      <p className="small muted">Last 15 minutes, all teams.</p>
      {providers.length === 0 ? (
        <p className="muted">No provider calls yet.</p>
      ) : (
        <table className="obs-table">
          <thead>
            <tr>
              <th>Provider</th>
              <th className="number">Calls</th>
              <th className="number">Errors</th>
              <th className="number">Error rate</th>
            </tr>
          </thead>
          <tbody>
            {providers.map((provider) => (
              <tr key={provider.provider}>
                <td>{provider.provider}</td>
                <td className="number">{count(provider.requests)}</td>
                <td className="number">{count(provider.errors)}</td>
                <td
                  className={`number${(provider.errorRate ?? 0) >= BAD_RATE ? " obs-rate--bad" : ""}`}
                >
                  {percent(provider.errorRate)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
