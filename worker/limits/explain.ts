/**
 * Turns a limit that was hit into words people can act on: which limit, the
 * figure, what is left, when it resets and what to do. The Worker's edge
 * limiter and the TeamGateway's quotas both answer through here, so every
 * limit error reads the same.
 */
import { formatMicroUsd, type LimitDetails } from "../../contract/limits.ts";
import { ApiError, type ApiErrorCode, errorBody } from "../errors.ts";

const WHO: Record<LimitDetails["scope"], string> = {
  user: "You have",
  team: "Your team has",
  ip: "This network address has",
  provider: "The model provider has",
};

const WHAT: Record<LimitDetails["name"], string> = {
  requests_per_window: "requests",
  requests_per_minute: "requests this minute",
  concurrent_generations: "answers in progress at once",
  tokens_per_day: "tokens today",
  dollars_per_month: "this month's budget",
  concurrent_sandboxes: "sandboxes running at once",
  provider_rate_limit: "requests the provider allows right now",
};

export function describeLimit(details: LimitDetails): { message: string; hint: string } {
  const figure = (value: number) =>
    details.unit === "micro_usd" ? formatMicroUsd(value) : value.toLocaleString("en-US");
  const window = details.windowSeconds ? ` per ${details.windowSeconds} s` : "";
  const used = details.used ?? Math.max(0, details.limit - details.remaining);
  const at = `${details.resetAt.slice(11, 19)} UTC`;
  const resets = details.resetIsLatest
    ? `by ${at} at the latest, within ${humanSeconds(details.retryAfterSeconds)}`
    : `at ${at}, in ${humanSeconds(details.retryAfterSeconds)}`;

  const message =
    `${WHO[details.scope]} used ${figure(used)} of ${figure(details.limit)} ${WHAT[details.name]}` +
    `${window}; ${figure(details.remaining)} left. It resets ${resets}.`;
  return { message, hint: hintFor(details) };
}

function hintFor(details: LimitDetails): string {
  const wait = `Wait ${humanSeconds(details.retryAfterSeconds)} and send again`;
  switch (details.name) {
    case "concurrent_generations":
      return `${wait}, or stop an answer that is still streaming.`;
    case "concurrent_sandboxes":
      return "Stop a running preview sandbox, or wait for one to expire.";
    case "tokens_per_day":
    case "dollars_per_month":
      return `${wait}, use a cheaper model, or ask a team admin to raise the budget within the plan.`;
    case "provider_rate_limit":
      return `${wait}; the provider, not Kiln, is limiting right now.`;
    default:
      return details.scope === "team"
        ? `${wait}, or ask a team admin to raise the limit within the plan.`
        : `${wait}.`;
  }
}

export function humanSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.ceil(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.ceil(seconds / 3600)} h`;
  return `${Math.ceil(seconds / 86_400)} days`;
}

export function limitCode(details: LimitDetails): ApiErrorCode {
  if (details.name === "tokens_per_day" || details.name === "dollars_per_month") {
    return "budget_exceeded";
  }
  if (details.name === "concurrent_generations" || details.name === "concurrent_sandboxes") {
    return "quota_exceeded";
  }
  return "rate_limited";
}

/** For the Worker: thrown, and answered by the error middleware with `Retry-After`. */
export function limitError(details: LimitDetails): ApiError {
  const { message, hint } = describeLimit(details);
  return new ApiError({ status: 429, code: limitCode(details), message, hint, limit: details });
}

/** For the TeamGateway, which answers with a Response rather than throwing to the Worker. */
export function limitResponse(details: LimitDetails, requestId: string): Response {
  const { message, hint } = describeLimit(details);
  const body = errorBody({ code: limitCode(details), message, hint, requestId, limit: details });
  return Response.json(body, {
    status: 429,
    headers: { "Retry-After": String(details.retryAfterSeconds) },
  });
}
