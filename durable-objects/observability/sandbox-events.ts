/**
 * Sandbox figures from the sandbox module's own seam (its event sink): each
 * sandbox that ends counts as one start, and as a failure when Kiln or E2B
 * failed it (creation failed, the sandbox vanished), not when the person's
 * code did (a non-zero exit, an app that never listened).
 */
import { logSandboxEvent, type SandboxEventSink } from "../sandboxes/events.ts";

const INFRASTRUCTURE_FAILURES = new Set(["create_failed", "sandbox_gone"]);

export function observedSandboxEvents(
  record: (options: { teamId: string; failed: boolean }) => void,
): SandboxEventSink {
  return (event) => {
    logSandboxEvent(event);
    record({
      teamId: event.teamId,
      failed: event.outcome !== null && INFRASTRUCTURE_FAILURES.has(event.outcome),
    });
  };
}
