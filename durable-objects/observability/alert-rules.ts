/**
 * When an alert fires and how it reads. Pure functions of counts and a
 * clock, so the rules and the deduplication window are tested alone with a
 * fixed time. Every alert has a key (kind plus subject); one key alerts at
 * most once per window, however many failures feed it.
 */

export type AlertKind =
  | "provider_error_spike"
  | "breaker_open"
  | "budget_overrun"
  | "sandbox_failure_spike";

export type Alert = {
  kind: AlertKind;
  /** What it is about: a provider, a team; part of the deduplication key. */
  subject: string;
  summary: string;
  /** Label → value lines shown under the summary. */
  details: [string, string][];
};

export const ALERT_DEDUPE_WINDOW_MS = 15 * 60_000;

/** A spike: at least `minFailures` failures making at least `minRate` of the attempts. */
export const SPIKE_RULE = { windowMs: 5 * 60_000, minFailures: 3, minRate: 0.5 } as const;

export function isSpike(counts: { attempts: number; failures: number }): boolean {
  if (counts.attempts === 0) return false;
  return (
    counts.failures >= SPIKE_RULE.minFailures &&
    counts.failures / counts.attempts >= SPIKE_RULE.minRate
  );
}

/**
 * What one window deduplicates on. A provider's error spike and its breakers
 * opening are one incident seen twice (breakers open because calls fail), so
 * they share a key: whichever fires first is the one alert.
 */
export function dedupeKey(alert: Pick<Alert, "kind" | "subject">): string {
  const providerIncident = alert.kind === "provider_error_spike" || alert.kind === "breaker_open";
  return providerIncident ? `provider:${alert.subject}` : `${alert.kind}:${alert.subject}`;
}

export function shouldSend(lastSentAt: number | null, now: number): boolean {
  return lastSentAt === null || now - lastSentAt >= ALERT_DEDUPE_WINDOW_MS;
}

const TITLES: Record<AlertKind, string> = {
  provider_error_spike: "Provider error spike",
  breaker_open: "Circuit breaker opened",
  budget_overrun: "Budget overrun",
  sandbox_failure_spike: "Sandbox failure spike",
};

/** A Slack incoming-webhook body; `text` alone also suits Mattermost, Discord's /slack, Teams. */
export function slackBody(alert: Alert, options: { environment: string; runbookUrl: string }) {
  const title = `[${options.environment}] ${TITLES[alert.kind]}: ${alert.subject}`;
  const lines = alert.details.map(([label, value]) => `• *${label}:* ${value}`);
  const runbook = `<${options.runbookUrl}#${alert.kind.replaceAll("_", "-")}|Runbook: ${alert.kind}>`;
  const text = [`*${title}*`, alert.summary, ...lines, runbook].join("\n");
  return {
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
  };
}
