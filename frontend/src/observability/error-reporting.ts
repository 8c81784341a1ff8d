/**
 * The SPA's error reports to Sentry, only when `/api/config` names a DSN.
 * The SDK is loaded with a dynamic import after the app has started, so it
 * never weighs on the first paint (it lands in its own chunk). Breadcrumbs
 * are off (they would carry URLs and console text) and every event passes
 * the same scrubber as the Worker's before it leaves.
 */
import { useEffect } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import { scrubSentryEvent } from "../../../contract/scrub.ts";

type SentryModule = typeof import("./sentry-sdk.ts");

let loading: Promise<SentryModule> | null = null;

function load(settings: NonNullable<ClientConfig["sentry"]>): Promise<SentryModule> {
  loading ??= import("./sentry-sdk.ts").then((Sentry) => {
    Sentry.init({
      dsn: settings.dsn,
      release: settings.release,
      environment: settings.environment,
      integrations: (defaults) =>
        defaults.filter((integration) => integration.name !== "Breadcrumbs"),
      beforeBreadcrumb: () => null,
      beforeSend: (event) => scrubSentryEvent(event),
    });
    return Sentry;
  });
  return loading;
}

/** Starts reporting once the config is known, and tags reports with the active team. */
export function useErrorReporting(config: ClientConfig | null, teamId: string | undefined) {
  const settings = config?.sentry;

  useEffect(() => {
    if (!settings) return;
    void load(settings).then((Sentry) => Sentry.setTag("teamId", teamId ?? "none"));
  }, [settings, teamId]);
}
