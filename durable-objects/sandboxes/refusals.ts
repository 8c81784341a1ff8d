/**
 * The sandbox module's refusals and fallbacks, in the words the SPA shows.
 * A refusal becomes the API's one error body at the Worker (routes/sandbox.ts);
 * a fallback is not an error: the request succeeds and says what still works.
 */
import type { LimitDetails } from "../../contract/limits.ts";
import type { SandboxFallback } from "../../contract/sandbox.ts";
import { describeLimit } from "../../worker/limits/explain.ts";
import type { SandboxRow } from "./store.ts";

export type SandboxRefusal = {
  status: 404 | 409 | 429;
  code:
    | "sandbox_not_found"
    | "sandbox_expired"
    | "sandbox_not_running"
    | "sandbox_limit_reached"
    | "budget_exceeded";
  message: string;
  hint: string;
  /** Set when a team limit refused it: the answer carries `Retry-After` from it. */
  limit?: LimitDetails;
};

export type Result<T> = { ok: true; value: T } | { ok: false; refusal: SandboxRefusal };

/** A team limit that refused a sandbox: the sandbox cap, or a spent dollar budget. */
export function overLimit(limit: LimitDetails): SandboxRefusal {
  const { message, hint } = describeLimit(limit);
  return {
    status: 429,
    code: limit.name === "concurrent_sandboxes" ? "sandbox_limit_reached" : "budget_exceeded",
    message,
    hint: `${hint} The code stays in the viewer meanwhile.`,
    limit,
  };
}

export function notFound(): SandboxRefusal {
  return {
    status: 404,
    code: "sandbox_not_found",
    message: "That sandbox does not exist in this team.",
    hint: "Run the code again to create a new sandbox.",
  };
}

export function expired(row: SandboxRow): SandboxRefusal {
  return {
    status: 409,
    code: "sandbox_expired",
    message: `The sandbox ended at ${new Date(row.ended_at ?? row.expires_at).toISOString()}.`,
    hint: "Recreate it from the saved files with one click.",
  };
}

export function notRunning(row: SandboxRow): SandboxRefusal {
  return {
    status: 409,
    code: "sandbox_not_running",
    message: `The sandbox is ${row.status}, so there is nothing to keep alive.`,
    hint: "Keep-alive is for a running preview; recreate the sandbox to run it again.",
  };
}

export function unconfigured(browser: boolean): SandboxFallback {
  return {
    reason: "unconfigured",
    message: "No sandbox service is configured here (E2B_API_KEY is not set).",
    stillWorks: browser ? "browser" : "code_only",
  };
}
