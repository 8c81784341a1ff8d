/**
 * Cheap draft → expensive final. First answers go to the draft model
 * (KILN_DRAFT_MODEL) when one is configured; "Improve" (quality "final")
 * escalates to KILN_FINAL_MODEL. A model the person picked always wins.
 * TODO(soon): read both from the team's routing config in KV once the
 * routing issue lands, and escalate automatically when the code fails to run.
 */
import type { Env } from "../../worker/env.ts";

export function chooseModel(options: {
  requested: string | undefined;
  quality: "draft" | "final" | undefined;
  env: Env;
  fallback: string;
}): string {
  if (options.requested) return options.requested;
  const configured =
    options.quality === "final" ? options.env.KILN_FINAL_MODEL : options.env.KILN_DRAFT_MODEL;
  return configured?.trim() || options.fallback;
}
