/**
 * Figure 5: admission decisions (quota + idempotency) per second in one
 * team object, and budget overshoot under 200 concurrent requests.
 */
import type { BenchContext, Figure } from "../support/figure.ts";
import { answeredWithoutProvider, freshNonce } from "./probes.ts";

const BASE = {
  id: "admission",
  title: "Admission: decisions per second, budget overshoot",
  target: "≥ 2,000 decisions/s in one team object; 0 overshoot under 200 concurrent requests",
  method:
    "Probe: the same Idempotency-Key and body sent twice; if the second reaches the provider, " +
    "this build has no idempotency and there is no figure.",
};

export async function measureAdmission(context: BenchContext): Promise<Figure> {
  const key = freshNonce();
  const probe = await answeredWithoutProvider(context, {
    nonce: freshNonce(),
    headers: { "idempotency-key": key },
  });
  if (!probe.present) {
    return {
      ...BASE,
      status: "not available in this build",
      meetsTarget: null,
      headline:
        "not available in this build: a repeated Idempotency-Key reached the provider again (no idempotency or quotas yet)",
    };
  }
  return {
    ...BASE,
    status: "not available in this build",
    meetsTarget: null,
    headline:
      "idempotency answers replays, but the decision benchmark for this build is not written yet",
  };
}
