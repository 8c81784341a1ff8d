/**
 * How long to wait before trying a provider again: the provider's own wish
 * when it states a sane one (case L2), else exponential backoff with full
 * jitter; always capped. Pure functions, so the policy is tested without a
 * clock or a network.
 */

/** The longest wait the gateway accepts before a retry; a longer wish means "fall back". */
export const MAX_RETRY_DELAY_MS = 8_000;
const BASE_BACKOFF_MS = 250;

type HeaderSource = { get(name: string): string | null };

/**
 * The delay a failed response asks for, in ms, or undefined when it asks for
 * nothing sane. Order: `retry-after-ms` (OpenAI), `retry-after` (seconds or an
 * HTTP-date), then the providers' reset headers. Negative, non-numeric and
 * non-finite values are ignored; a date in the past means "now" (0).
 */
export function retryDelayFromHeaders(headers: HeaderSource, now: number): number | undefined {
  const ms = parseNumber(headers.get("retry-after-ms"));
  if (ms !== undefined) return ms;

  const retryAfter = parseRetryAfter(headers.get("retry-after"), now);
  if (retryAfter !== undefined) return retryAfter;

  return resetHeaderDelay(headers, now);
}

/** `Retry-After`: delta-seconds (fractions accepted, as some providers send them) or an HTTP-date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const seconds = parseNumber(value);
  if (seconds !== undefined) return Math.round(seconds * 1000);

  // Only strings that look like an IMF-fixdate: Date.parse accepts too much ("soon 1").
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim())) {
    return undefined;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Reset headers: Anthropic sends RFC 3339 timestamps
 * (`anthropic-ratelimit-requests-reset`), OpenAI durations like `1s`,
 * `6m0s` or `250ms` (`x-ratelimit-reset-requests`). The later of the
 * request and token resets is when a retry can pass.
 */
function resetHeaderDelay(headers: HeaderSource, now: number): number | undefined {
  const delays: number[] = [];

  for (const name of [
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-tokens-reset",
    "anthropic-ratelimit-input-tokens-reset",
    "anthropic-ratelimit-output-tokens-reset",
  ]) {
    const value = headers.get(name);
    const at = value === null ? Number.NaN : Date.parse(value);
    if (!Number.isNaN(at)) delays.push(Math.max(0, at - now));
  }
  for (const name of ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]) {
    const duration = parseDuration(headers.get(name));
    if (duration !== undefined) delays.push(duration);
  }

  return delays.length === 0 ? undefined : Math.max(...delays);
}

/** `1h2m3.5s`, `6m0s`, `250ms`, `1s`: the Go duration style OpenAI uses. */
export function parseDuration(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(text)) return undefined;

  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const factor = unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1;
    total += Number(amount) * factor;
  }
  return Math.round(total);
}

function parseNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** Exponential backoff with full jitter: a random wait in [0, base * 2^attempt], capped. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, BASE_BACKOFF_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retry number `attempt` (0 = the first retry) of the same
 * target, or null when the provider asks for more than the cap: then the
 * gateway moves on to the next target instead of holding the client.
 */
export function retryDelay(options: {
  attempt: number;
  requestedMs: number | undefined;
  random?: () => number;
}): number | null {
  if (options.requestedMs !== undefined) {
    return options.requestedMs > MAX_RETRY_DELAY_MS ? null : options.requestedMs;
  }
  return backoffDelay(options.attempt, options.random);
}
