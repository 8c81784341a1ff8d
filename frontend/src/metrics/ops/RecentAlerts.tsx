import type { AlertRecord } from "../../../../contract/observability.ts";

/** The alerts sent most recently (each key at most once per 15 minutes). */
export function RecentAlerts({ alerts }: { alerts: AlertRecord[] }) {
  return (
    <section className="obs-card" aria-label="Recent alerts">
      <h3>Recent alerts</h3>
      {alerts.length === 0 ? (
        <p className="muted">No alerts.</p>
      ) : (
        <ul className="small">
          {alerts.map((alert) => (
            <li key={alert.key}>
              <time dateTime={alert.sentAt}>{new Date(alert.sentAt).toLocaleTimeString()}</time>{" "}
              <strong>{alert.kind.replaceAll("_", " ")}</strong>: {alert.summary}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
