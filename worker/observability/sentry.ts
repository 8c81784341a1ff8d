/**
 * Error reports to Sentry through toucan-js, from the Worker and from the
 * team object, only when `SENTRY_DSN` is set. What may leave is decided
 * here: a short allow-list of headers, no cookies, no query strings, no
 * bodies, no IP address; then `scrubSentryEvent` masks anything that still
 * looks like a credential. Tags say which release, environment, team and
 * request the report belongs to, so it can be matched with the logs.
 */
import { Toucan } from "toucan-js";
import { scrubSentryEvent } from "../../contract/scrub.ts";

/** The only request headers a report carries: enough to reproduce, nothing that identifies. */
export const SENTRY_ALLOWED_HEADERS = [
  "content-type",
  "content-length",
  "user-agent",
  "cf-ray",
  "traceparent",
  "x-request-id",
];

type SentryEnv = { SENTRY_DSN?: string; ENVIRONMENT: string; KILN_VERSION: string };

export type ErrorReportTags = {
  requestId?: string | undefined;
  traceId?: string | undefined;
  teamId?: string | undefined;
  route?: string | undefined;
  /** The salted user hash (identity.ts), never the user id or email. */
  userHash?: string | undefined;
};

export type ErrorReporter = {
  /** Sends the error; resolves once it was handed to Sentry (or dropped). */
  capture(error: unknown, extra?: Record<string, string | number | boolean>): Promise<void>;
};

/** A reporter for one request or one team-object call, or null when Sentry is off. */
export function createErrorReporter(options: {
  env: SentryEnv;
  component: "worker" | "team-gateway";
  request?: Request | undefined;
  waitUntil: (work: Promise<unknown>) => void;
  tags: ErrorReportTags;
}): ErrorReporter | null {
  const dsn = options.env.SENTRY_DSN?.trim();
  if (!dsn) return null;

  const sentry = new Toucan({
    dsn,
    release: `kiln@${options.env.KILN_VERSION}`,
    environment: options.env.ENVIRONMENT,
    context: { waitUntil: options.waitUntil },
    request: options.request,
    sendDefaultPii: false,
    requestDataOptions: {
      allowedHeaders: SENTRY_ALLOWED_HEADERS,
      allowedCookies: false,
      allowedSearchParams: false,
      allowedIps: false,
    },
    beforeSend: (event) => scrubSentryEvent(event),
    beforeBreadcrumb: () => null,
  });

  sentry.setTag("component", options.component);
  for (const [key, value] of Object.entries(options.tags)) {
    if (value) sentry.setTag(key, value);
  }

  return {
    async capture(error, extra) {
      if (extra) sentry.setExtras(extra);
      sentry.captureException(error);
      await sentry.getClient()?.flush(2_000);
    },
  };
}

/** The SPA's Sentry settings for `/api/config`, when a browser (or shared) DSN is set. */
export function browserSentry(env: SentryEnv & { SENTRY_BROWSER_DSN?: string }) {
  const dsn = env.SENTRY_BROWSER_DSN?.trim() || env.SENTRY_DSN?.trim();
  if (!dsn) return {};
  return { sentry: { dsn, release: `kiln@${env.KILN_VERSION}`, environment: env.ENVIRONMENT } };
}
