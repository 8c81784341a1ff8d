/**
 * Development only (mounted under /api/dev): drives one team's TeamGateway
 * from inside workerd, so `npm run bench` can count the object's admission
 * decisions per second without HTTP, auth and the load generator in the
 * way. It calls the same entry points a chat turn does: `reserveGeneration`
 * and `settleGeneration` (the quota and budget check, and its settlement),
 * or the chat `fetch` with a finished Idempotency-Key (claimed, found
 * complete, replayed from the event log).
 */
import { Hono } from "hono";
import { z } from "zod";
import { chatRequestSchema } from "../../contract/api.ts";
import type { GatewayStreamRequest } from "../../durable-objects/chat-request.ts";
import type { AppBindings } from "../env.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { chatFingerprint, teamGateway } from "./chat-gateway.ts";

const admissionRunSchema = z.object({
  teamId: z.uuid(),
  userId: z.string().min(1),
  concurrency: z.number().int().min(1).max(256),
  durationMs: z.number().int().min(100).max(20_000),
  decision: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("quota"), model: z.string().min(1) }),
    z.object({ kind: z.literal("replay"), key: z.string().min(8), chat: chatRequestSchema }),
  ]),
});

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export const devBenchRoutes = new Hono<AppBindings>().post("/bench/admission", async (c) => {
  const run = await parseJsonBody(c, admissionRunSchema);
  const gateway = teamGateway(c.env, run.teamId);
  const outcomes: Record<string, number> = {};
  const count = (outcome: string) => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };

  let decide: () => Promise<void>;
  if (run.decision.kind === "quota") {
    const { model } = run.decision;
    decide = async () => {
      const admission = await gateway.reserveGeneration({
        userId: run.userId,
        model,
        promptTokens: 1_000,
        maxOutputTokens: 8_192,
      });
      if (!admission.ok) return count(admission.limit.name);
      await gateway.settleGeneration({
        teamId: run.teamId,
        reservationId: admission.reservation.id,
        userId: run.userId,
        model,
        usage: NO_USAGE,
        failed: true,
      });
      count("admitted");
    };
  } else {
    const { key, chat } = run.decision;
    const request: GatewayStreamRequest = {
      key,
      requestId: crypto.randomUUID(),
      lastEventId: 0,
      turn: {
        bodyHash: await chatFingerprint(chat),
        // Read only for a new key; a finished one is replayed without it.
        chat: {
          requestId: crypto.randomUUID(),
          teamId: run.teamId,
          userId: run.userId,
          conversationId: crypto.randomUUID(),
          userMessageId: crypto.randomUUID(),
          assistantMessageId: crypto.randomUUID(),
          template: undefined,
          model: undefined,
          message: chat.message,
          attachments: [],
          contextIds: [],
          history: [],
        },
        writes: [],
        newConversation: false,
      },
    };
    const body = JSON.stringify(request);
    decide = async () => {
      const response = await gateway.fetch("https://team-gateway/chat", { method: "POST", body });
      await response.arrayBuffer();
      count(response.headers.get("Idempotent-Replayed") ? "replayed" : String(response.status));
    };
  }

  // Date.now() moves at each call's I/O, which is what ends the loops.
  const startedAt = Date.now();
  await Promise.all(
    Array.from({ length: run.concurrency }, async () => {
      while (Date.now() - startedAt < run.durationMs) await decide();
    }),
  );
  const wallMs = Date.now() - startedAt;
  const decisions = Object.values(outcomes).reduce((sum, n) => sum + n, 0);
  return c.json({ decisions, wallMs, perSecond: (decisions * 1000) / wallMs, outcomes });
});
