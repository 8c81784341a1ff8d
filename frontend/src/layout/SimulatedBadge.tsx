import { useId } from "react";
import type { ClientConfig } from "../../../contract/api.ts";

export type SimulatedBadgeProps = { provider: ClientConfig["provider"] };

/** Always visible while answers come from the local simulator, never a real model. */
export function SimulatedBadge({ provider }: SimulatedBadgeProps) {
  const tooltipId = useId();
  if (!provider.simulated) return null;

  return (
    <span className="badge badge--warning tooltip-anchor">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so keyboard users can read the tooltip */}
      <span tabIndex={0} aria-describedby={tooltipId}>
        Simulated model
      </span>
      <span role="tooltip" id={tooltipId} className="tooltip">
        No model provider key is configured, so answers come from Kiln's local simulator (
        {provider.name}, {provider.model}), not from a real model. Set an OpenAI or Anthropic key to
        use a real one.
      </span>
    </span>
  );
}
