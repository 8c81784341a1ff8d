import { formatMicroUsd } from "../../../contract/limits.ts";
import type { UsageTotals } from "./aggregate.ts";

export type UsageTableProps = { title: string; keyLabel: string; totals: UsageTotals[] };

export function UsageTable({ title, keyLabel, totals }: UsageTableProps) {
  return (
    <section className="usage-section" aria-label={title}>
      <h2>{title}</h2>
      {totals.length === 0 ? (
        <p className="usage-empty">No usage in this range yet.</p>
      ) : (
        <table className="usage-table">
          <thead>
            <tr>
              <th scope="col">{keyLabel}</th>
              <th scope="col">Requests</th>
              <th scope="col">Tokens in</th>
              <th scope="col">Tokens out</th>
              <th scope="col">Cost</th>
              <th scope="col">Cache hits</th>
              <th scope="col">Errors</th>
              <th scope="col">Sandbox seconds</th>
            </tr>
          </thead>
          <tbody>
            {totals.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.key}</th>
                <td>{row.requests.toLocaleString()}</td>
                <td>{row.inputTokens.toLocaleString()}</td>
                <td>{row.outputTokens.toLocaleString()}</td>
                <td>{formatMicroUsd(row.costMicroUsd)}</td>
                <td>
                  {row.cacheHits.toLocaleString()}
                  {row.requests > 0
                    ? ` (${Math.round((row.cacheHits / row.requests) * 100)} %)`
                    : ""}
                </td>
                <td>{row.errors.toLocaleString()}</td>
                <td>{row.sandboxSeconds.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
