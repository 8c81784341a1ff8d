/**
 * Posts an alert to `ALERT_WEBHOOK_URL` (a Slack incoming webhook or
 * anything that takes its body). Without one, the alert is only logged. A
 * failed post is logged and not retried: the next window alerts again.
 */
import type { Env } from "../../worker/env.ts";
import { logger } from "../../worker/logger.ts";
import { type Alert, slackBody } from "./alert-rules.ts";

const DEFAULT_RUNBOOK_URL = "https://github.com/kiln/kiln/blob/main/docs/runbook.md";
const WEBHOOK_TIMEOUT_MS = 5_000;

export async function sendAlert(env: Env, alert: Alert): Promise<void> {
  const url = env.ALERT_WEBHOOK_URL?.trim();
  if (!url) return;

  const body = slackBody(alert, {
    environment: env.ENVIRONMENT,
    runbookUrl: env.KILN_RUNBOOK_URL || DEFAULT_RUNBOOK_URL,
  });
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) logger.warn("alert.webhook_failed", { status: response.status });
  } catch (error) {
    logger.warn("alert.webhook_failed", { error: error instanceof Error ? error.name : "unknown" });
  }
}
