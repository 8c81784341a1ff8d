/**
 * Figure 6: time to first byte of an answer Kiln serves from its prompt
 * cache. The probe asks the same prompt twice; when the second reaches the
 * provider, this build has no cache and there is no figure.
 */
import type { BenchContext, Figure } from "../support/figure.ts";
import { summarize } from "../support/stats.ts";
import { answeredWithoutProvider, completionCalls, freshNonce, kilnOnce } from "./probes.ts";

export const BASE = {
  id: "cache-hit",
  title: "Cached answer: time to first byte",
  target: "p50 ≤ 5 ms",
  method:
    "One prompt is asked once (filling the cache), then 100 times more one at a time; TTFB is the " +
    "time to the response head in the load process, TTFT to the first text. Only replays that never " +
    "reached the simulator count.",
};

export async function measureCache(context: BenchContext): Promise<Figure> {
  const nonce = freshNonce();
  const probe = await answeredWithoutProvider(context, { nonce });
  if (!probe.present) {
    return {
      ...BASE,
      status: "not available in this build",
      meetsTarget: null,
      headline:
        "not available in this build: a repeated prompt reached the provider again (no prompt cache)",
    };
  }

  const ttfb: number[] = [];
  const ttft: number[] = [];
  let reachedProvider = 0;
  for (let index = 0; index < 100; index += 1) {
    const before = await completionCalls(context);
    const result = await kilnOnce(context, { nonce });
    if ((await completionCalls(context)) !== before) reachedProvider += 1;
    else if (result.status === 200 && result.ttfbMs !== undefined) {
      ttfb.push(result.ttfbMs);
      if (result.ttftMs !== undefined) ttft.push(result.ttftMs);
    }
  }
  const summary = summarize(ttfb);
  return {
    ...BASE,
    status: "measured",
    meetsTarget: summary.p50 <= 5,
    headline: `TTFB p50 ${summary.p50} ms, p99 ${summary.p99} ms (TTFT p50 ${summarize(ttft).p50} ms); ${reachedProvider} of 100 reached the provider`,
    data: { ttfb: summary, ttft: summarize(ttft), reachedProvider },
  };
}
