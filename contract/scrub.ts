/**
 * The last line of defence before an error report leaves Kiln (Sentry from
 * the Worker, the team object and the SPA): walks the event and removes
 * anything that looks like a credential or user content. The first line is
 * never attaching such data at all (headers allow-listed, bodies and query
 * strings dropped); this catches what slips through, such as a token pasted
 * into an error message.
 */

export const FILTERED = "[Filtered]";

/** Keys whose values are content or credentials whatever they look like. */
const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|cookies|set-cookie|x-api-key|api[-_]?key|apikey|x-goog-api-key|anthropic-api-key|access[-_]?token|refresh[-_]?token|id[-_]?token|token|secret|client[-_]?secret|password|prompt|prompts|messages|content|system|attachments|data|body|query_string|x-supabase-auth)$/i;

/** Values that are credentials wherever they appear, even inside a longer string. */
const SECRET_VALUES: [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${FILTERED}`],
  [/\bBasic\s+[A-Za-z0-9+/=]{8,}/g, `Basic ${FILTERED}`],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, FILTERED],
  [/\b(?:sk|pk|rk)-(?:ant-|proj-)?[A-Za-z0-9_-]{12,}/g, FILTERED],
  [/\b(?:e2b|sbp|sb_secret|sb_publishable)_[A-Za-z0-9_]{12,}/g, FILTERED],
  [
    /\b(access_token|refresh_token|id_token|token|api_key|apikey|key|code|password|secret)=[^&\s"';]+/gi,
    `$1=${FILTERED}`,
  ],
];

export function scrubString(value: string): string {
  let scrubbed = value;
  for (const [pattern, replacement] of SECRET_VALUES) {
    scrubbed = scrubbed.replace(pattern, replacement);
  }
  return scrubbed;
}

/** Drops the query string and fragment of a URL, which may carry tokens. */
export function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/**
 * A deep copy of `value` with secret keys filtered and secret-looking strings
 * masked. Depth is bounded so a cyclic or huge object cannot hang the caller.
 */
export function scrub<T>(value: T, depth = 0): T {
  if (typeof value === "string") return scrubString(value) as T;
  if (value === null || typeof value !== "object" || depth > 12) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1)) as T;

  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(key)) copy[key] = FILTERED;
    else if (key === "url" && typeof item === "string") copy[key] = scrubString(stripQuery(item));
    else copy[key] = scrub(item, depth + 1);
  }
  return copy as T;
}

/** `beforeSend` for Sentry: bodies, query strings and cookies never leave, then a deep scrub. */
export function scrubSentryEvent<T extends object>(event: T): T {
  const withRequest = event as { request?: Record<string, unknown> };
  if (withRequest.request) {
    const {
      query_string: _query,
      data: _data,
      cookies: _cookies,
      ...request
    } = withRequest.request;
    if (typeof request.url === "string") request.url = stripQuery(request.url);
    withRequest.request = request;
  }
  return scrub(event);
}
