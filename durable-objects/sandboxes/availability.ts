/**
 * Whether a new sandbox can be tried at all, before any slot is taken: E2B
 * configured, not switched off by the operator, its breaker closed. When
 * not, the request still succeeds with a fallback that says what happened
 * and what still works (the browser preview for web templates, else the code).
 */
import type { SandboxFallback } from "../../contract/sandbox.ts";
import type { E2bBreaker } from "./breaker.ts";
import { unconfigured } from "./refusals.ts";
import type { E2bConnection, SandboxLimits } from "./settings.ts";

export function unavailableBecause(input: {
  connection: E2bConnection | null;
  limits: SandboxLimits;
  breaker: E2bBreaker;
  nowMs: number;
  browser: boolean;
}): SandboxFallback | null {
  const stillWorks = input.browser ? "browser" : "code_only";
  if (!input.connection) return unconfigured(input.browser);
  if (input.limits.disabled) {
    return {
      reason: "switched_off",
      message: "Sandboxes are switched off by the operator for now.",
      stillWorks,
    };
  }
  if (input.breaker.state(input.nowMs) === "open") {
    const retryAt = input.breaker.retryAtMs();
    const when = retryAt ? `after ${new Date(retryAt).toISOString()}` : "soon";
    return {
      reason: "breaker_open",
      message: `The sandbox service failed several times in a row; Kiln tries it again ${when}.`,
      stillWorks,
    };
  }
  return null;
}
