/**
 * Figure 5: admission decisions (quota + idempotency) per second in one
 * team object, and budget overshoot under 200 concurrent requests.
 *
 * Decisions are driven from outside, through the Worker, because that is the
 * only way in: each request is one decision by the team's object. Two kinds
 * that never reach the provider or Postgres: a finished key asked again (the
 * object replays it from its event log) and a key reused with another body
 * (the object refuses it, 422). The rate is a lower bound for the object
 * alone, since the Worker's auth and validation share workerd's thread.
 */
import type { RepeatResult } from "../load/jobs.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { round, summarize } from "../support/stats.ts";
import { answeredWithoutProvider, freshNonce, TINY_ANSWER } from "./probes.ts";

const TARGET_PER_SECOND = 2_000;
const CONCURRENCY = 16;
const DURATION_MS = 6_000;

const BASE = {
  id: "admission",
  title: "Admission: decisions per second, budget overshoot",
  target: `≥ ${TARGET_PER_SECOND.toLocaleString("en")} decisions/s in one team object; 0 overshoot under 200 concurrent requests`,
  method:
    `${CONCURRENCY} closed-loop clients for ${DURATION_MS / 1000} s each, one team: (a) a finished ` +
    "Idempotency-Key sent again with its body (replayed by the object), (b) the same key with a new " +
    "body each time (refused, 422). Decisions/s = answered requests / wall time. Probe first: the same " +
    "key and body twice; if the second reaches the provider there is no idempotency and no figure.",
};

async function decisions(context: BenchContext, key: string, nonce: string, varyBody: boolean) {
  const result = await context.load.run<RepeatResult>({
    kind: "repeat",
    address: context.address,
    answer: TINY_ANSWER,
    extras: { nonce, headers: { "idempotency-key": key } },
    varyBody,
    concurrency: CONCURRENCY,
    durationMs: DURATION_MS,
    timeoutMs: 15_000,
  });
  const answered = Object.entries(result.byStatus)
    .filter(([status]) => /^\d+$/.test(status))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    perSecond: round(answered / (result.wallMs / 1000), 0),
    byStatus: result.byStatus,
    latency: summarize(result.latencies),
  };
}

export async function measureAdmission(context: BenchContext): Promise<Figure> {
  const key = `bench-${freshNonce()}`;
  const nonce = freshNonce();
  // The object may still be settling a previous figure's answer: give the probe a few tries.
  let probe = await answeredWithoutProvider(context, {
    nonce,
    headers: { "idempotency-key": key },
  });
  for (let attempt = 0; attempt < 2 && probe.first.outcome !== "done"; attempt += 1) {
    probe = await answeredWithoutProvider(context, { nonce, headers: { "idempotency-key": key } });
  }
  if (!probe.present) {
    return {
      ...BASE,
      status: "not available in this build",
      meetsTarget: null,
      headline:
        "not available in this build: a repeated Idempotency-Key reached the provider again (no idempotency)",
      data: { first: probe.first, second: probe.second },
    };
  }

  context.log("admission: replays of a finished key");
  const replays = await decisions(context, key, nonce, false);
  context.log("admission: the key reused with other bodies");
  const refusals = await decisions(context, key, nonce, true);

  const best = Math.max(replays.perSecond, refusals.perSecond);
  return {
    ...BASE,
    status: "measured",
    meetsTarget: null,
    headline:
      `idempotency decisions: ${replays.perSecond}/s replaying, ${refusals.perSecond}/s refusing ` +
      `(target ${TARGET_PER_SECOND}/s: ${best >= TARGET_PER_SECOND ? "met" : "missed"}); ` +
      "quota decisions and budget overshoot: not available in this build (no quotas or budgets)",
    data: { replays, refusals },
  };
}
