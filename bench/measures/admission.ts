/**
 * Figure 5: admission decisions (quota + idempotency) per second in one
 * team object, and budget overshoot under 200 concurrent requests.
 *
 * Decisions per second are counted twice. Inside workerd, by the
 * development-only route `/api/dev/bench/admission`, which calls the team's
 * object the way a chat turn does, from 16 concurrent loops: the quota and
 * budget check with its settlement (`reserveGeneration` + `settleGeneration`),
 * and the chat call with a finished Idempotency-Key (claimed, found complete,
 * replayed). Then through the whole Worker over HTTP, where auth, validation
 * and the load generator share the machine: a finished key sent again, and
 * the same key with other bodies (refused, 422).
 *
 * Overshoot: a second team gets a monthly budget with room for 50 worst-case
 * reservations, and 200 chat requests are sent at once; more than 50
 * answers streaming at the same moment, or more reserved than the budget,
 * is overshoot. (An answer that ends gives back its worst case less what it
 * cost, so on a busy machine, where the 200 are decided over more than an
 * answer's 2 s, more than 50 may be admitted in all, one after another.)
 */
import type { RepeatResult } from "../load/jobs.ts";
import { directive, kilnTarget } from "../load/targets.ts";
import { call, OPERATOR_EMAIL, signIn } from "../support/boot.ts";
import type { BenchContext, Figure } from "../support/figure.ts";
import { fetchAgainOnReset, fetchUntilNot503 } from "../support/http.ts";
import { round, summarize } from "../support/stats.ts";
import { answeredWithoutProvider, freshNonce, TINY_ANSWER } from "./probes.ts";

const TARGET_PER_SECOND = 2_000;
const CONCURRENCY = 16;
const IN_OBJECT_MS = 5_000;
const HTTP_MS = 6_000;
const OVERSHOOT_REQUESTS = 200;
const BUDGET_ROOM = 50;
/** The model the simulated routing prices its draft answers as. */
const PRICED_MODEL = "kiln-simulated";

export const BASE = {
  id: "admission",
  title: "Admission: decisions per second, budget overshoot",
  target: `≥ ${TARGET_PER_SECOND.toLocaleString("en")} decisions/s in one team object; 0 overshoot under ${OVERSHOOT_REQUESTS} concurrent requests`,
  method:
    `In the object: ${CONCURRENCY} loops for ${IN_OBJECT_MS / 1000} s inside workerd (dev-only route) calling ` +
    "the team object as a chat turn does: quota = reserveGeneration + settleGeneration, idempotency = " +
    "the chat call with a finished key (replayed). Through the Worker: " +
    `${CONCURRENCY} closed-loop HTTP clients for ${HTTP_MS / 1000} s, a finished key again and the key ` +
    `with new bodies (422). Overshoot: a team whose budget has room for ${BUDGET_ROOM} worst-case ` +
    `reservations gets ${OVERSHOOT_REQUESTS} chat requests at once; overshoot is the most answers ` +
    `streaming at one moment (from response to end, as the load process saw them) beyond ${BUDGET_ROOM}.`,
};

type InObject = {
  decisions: number;
  wallMs: number;
  perSecond: number;
  outcomes: Record<string, number>;
};

async function inObject(context: BenchContext, decision: unknown): Promise<InObject> {
  // A measurement run: running it again measures again.
  const response = await fetchAgainOnReset(`${context.address.kilnUrl}/api/dev/bench/admission`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      teamId: context.teamId,
      userId: `bench-admission-${freshNonce()}`,
      concurrency: CONCURRENCY,
      durationMs: IN_OBJECT_MS,
      decision,
    }),
  });
  if (!response.ok)
    throw new Error(`admission run failed: ${response.status} ${await response.text()}`);
  const result = (await response.json()) as InObject;
  return { ...result, perSecond: round(result.perSecond, 0) };
}

async function overHttp(context: BenchContext, key: string, nonce: string, varyBody: boolean) {
  const result = await context.load.run<RepeatResult>({
    kind: "repeat",
    address: context.address,
    answer: TINY_ANSWER,
    extras: { nonce, headers: { "idempotency-key": key } },
    varyBody,
    concurrency: CONCURRENCY,
    durationMs: HTTP_MS,
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

type BudgetView = { name: string; limit: number; used: number; reserved: number };

/**
 * The team's monthly budget from `GET /api/usage`. That route also reads
 * Postgres (the people's emails), so it may answer 503 while the burst's
 * turns are being saved.
 */
async function dollarsBudget(kilnUrl: string, token: string, teamId: string): Promise<BudgetView> {
  const response = await fetchUntilNot503(`${kilnUrl}/api/usage`, {
    headers: { authorization: `Bearer ${token}`, "x-team-id": teamId },
  });
  if (!response.ok) throw new Error(`GET /api/usage failed: ${response.status}`);
  const usage = (await response.json()) as { budgets: BudgetView[] };
  const budget = usage.budgets.find((entry) => entry.name === "dollars_per_month");
  if (!budget) throw new Error("GET /api/usage has no dollars_per_month budget");
  return budget;
}

/** 200 requests at once against a budget with room for 50: how many got in, and what was reserved. */
async function overshoot(context: BenchContext) {
  const { kilnUrl } = context.address;
  const owner = await signIn(kilnUrl, `bench-budget-${freshNonce()}@example.com`);
  const operator = await signIn(kilnUrl, OPERATOR_EMAIL);
  const teamId = owner.team_id;
  await call(kilnUrl, `/api/ops/teams/${teamId}/plan`, {
    token: operator.access_token,
    body: { plan: "enterprise" },
  });
  const limits = (dollarsPerMonthMicroUsd: number) =>
    call(kilnUrl, "/api/limits", {
      token: owner.access_token,
      teamId,
      body: { concurrentGenerations: 1_000, requestsPerMinute: 60_000, dollarsPerMonthMicroUsd },
    });
  await limits(100_000_000_000);

  // The same prompt length every time (a UUID nonce), held long enough to overlap.
  const answer = { pieces: 20, pieceBytes: 16, firstTokenMs: 0, chunkMs: 100 };
  const address = { ...context.address, token: owner.access_token, teamId };
  const send = () => {
    const target = kilnTarget(address, answer);
    return fetch(target.url, {
      method: "POST",
      headers: { ...target.headers, "content-type": "application/json" },
      body: target.body,
    });
  };

  // One request in flight shows the worst-case reservation of this prompt.
  const first = await send();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const during = await dollarsBudget(kilnUrl, owner.access_token, teamId);
  await first.text();
  const worstCase = during.reserved;
  if (worstCase <= 0) throw new Error("no reservation was visible while an answer streamed");
  const settled = await dollarsBudget(kilnUrl, owner.access_token, teamId);
  const limit = settled.used + BUDGET_ROOM * worstCase;
  await limits(limit);

  const statuses: Record<string, number> = {};
  // Each admitted answer from its response to its end: inside the time its reservation is held
  // (reserved before the response, given back after the stream closes).
  const held: { from: number; to: number }[] = [];
  // The object's own view while the burst runs: what it holds reserved, and what was used.
  let bursting = true;
  let mostHeldMicroUsd = 0;
  let polls = 0;
  const watch = (async () => {
    while (bursting) {
      const now = await dollarsBudget(kilnUrl, owner.access_token, teamId);
      mostHeldMicroUsd = Math.max(mostHeldMicroUsd, now.used + now.reserved);
      polls += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await Promise.all(
    Array.from({ length: OVERSHOOT_REQUESTS }, async () => {
      const response = await send();
      const from = performance.now();
      const body = await response.text();
      if (response.status === 200) held.push({ from, to: performance.now() });
      const code =
        response.status === 429
          ? (/"code":"([^"]+)"/.exec(body)?.[1] ?? "429")
          : String(response.status);
      statuses[code] = (statuses[code] ?? 0) + 1;
    }),
  );
  bursting = false;
  await watch;
  const after = await dollarsBudget(kilnUrl, owner.access_token, teamId);
  const admitted = statuses["200"] ?? 0;
  const mostAtOnce = mostOverlapping(held);
  return {
    worstCaseMicroUsd: worstCase,
    limitMicroUsd: limit,
    admitted,
    mostAdmittedAtOnce: mostAtOnce,
    statuses,
    // An answer that ended gave its room back, less what it cost: more than the room may be
    // admitted over the run, but never more than the room at once.
    overshoot: Math.max(0, mostAtOnce - BUDGET_ROOM),
    usedAfterMicroUsd: after.used,
    usedAboveLimitMicroUsd: Math.max(0, after.used + after.reserved - limit),
    // Polled from GET /api/usage every 50 ms during the burst.
    budgetPollsDuring: polls,
    mostHeldDuringMicroUsd: mostHeldMicroUsd,
    heldAboveLimitDuringMicroUsd: Math.max(0, mostHeldMicroUsd - limit),
  };
}

/** The most intervals that overlap at one moment. */
function mostOverlapping(intervals: { from: number; to: number }[]): number {
  const edges = intervals
    .flatMap(({ from, to }) => [
      { at: from, change: 1 },
      { at: to, change: -1 },
    ])
    // At the same moment an end counts before a start.
    .sort((a, b) => a.at - b.at || a.change - b.change);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.change;
    most = Math.max(most, current);
  }
  return most;
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

  context.log("admission: in the object, quota decisions");
  const quota = await inObject(context, { kind: "quota", model: PRICED_MODEL });
  context.log("admission: in the object, replays of a finished key");
  const replay = await inObject(context, {
    kind: "replay",
    key,
    chat: { message: directive(TINY_ANSWER, nonce) },
  });
  context.log("admission: through the Worker, replays and refusals");
  const httpReplays = await overHttp(context, key, nonce, false);
  const httpRefusals = await overHttp(context, key, nonce, true);
  context.log(
    `admission: ${OVERSHOOT_REQUESTS} requests against a budget with room for ${BUDGET_ROOM}`,
  );
  const budget = await overshoot(context).catch((error: unknown) => ({
    error: error instanceof Error ? error.message : String(error),
  }));
  const decided =
    `in the object: ${quota.perSecond}/s quota, ${replay.perSecond}/s idempotency; ` +
    `through the Worker: ${httpReplays.perSecond}/s replays, ${httpRefusals.perSecond}/s refusals; `;
  if ("error" in budget) {
    return {
      ...BASE,
      status: "measured",
      meetsTarget: false,
      headline: `${decided}overshoot not measured: ${budget.error}`,
      data: {
        inObject: { quota, replay },
        http: { replays: httpReplays, refusals: httpRefusals },
        budget,
      },
    };
  }

  const slowest = Math.min(quota.perSecond, replay.perSecond);
  const meets =
    slowest >= TARGET_PER_SECOND &&
    budget.overshoot === 0 &&
    budget.usedAboveLimitMicroUsd === 0 &&
    budget.heldAboveLimitDuringMicroUsd === 0;
  return {
    ...BASE,
    status: "measured",
    meetsTarget: meets,
    headline:
      `${decided}overshoot ${budget.overshoot} (at most ${budget.mostAdmittedAtOnce} answers at once with room for ${BUDGET_ROOM}; ` +
      `${budget.admitted} of ${OVERSHOOT_REQUESTS} admitted in all; used + reserved at most ` +
      `${budget.mostHeldDuringMicroUsd} of ${budget.limitMicroUsd} µ$ over ${budget.budgetPollsDuring} polls, ` +
      `${budget.usedAfterMicroUsd} of ${budget.limitMicroUsd} µ$ used after)`,
    data: {
      inObject: { quota, replay },
      http: { replays: httpReplays, refusals: httpRefusals },
      budget,
    },
  };
}
