/**
 * Model prices, in integer micro-dollars per million tokens (so $0.40 per
 * million input tokens is 400000), kept in KV under `PRICE_TABLE_KEY` and
 * edited by operators through `PUT /api/ops/prices`. Integers all the way:
 * a budget ledger in floating point drifts.
 */
import { z } from "zod";
import type { Usage } from "./api.ts";

export const PRICE_TABLE_KEY = "prices:v1";

const microUsd = z.number().int().min(0).max(1_000_000_000);

export const modelPriceSchema = z.object({
  inputMicroUsdPerMillion: microUsd,
  outputMicroUsdPerMillion: microUsd,
  cacheReadMicroUsdPerMillion: microUsd,
  cacheWriteMicroUsdPerMillion: microUsd,
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const priceTableSchema = z.object({
  /** Used for any model not listed: set it to the dearest, so an unknown model never runs free. */
  default: modelPriceSchema,
  models: z.record(z.string().min(1).max(100), modelPriceSchema),
  /** One second of an E2B sandbox; absent in tables written before sandboxes were priced. */
  sandboxMicroUsdPerSecond: microUsd.optional(),
});
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * E2B's list price for its default sandbox (2 vCPU at about $0.000014 per
 * vCPU-second, plus 512 MiB of memory), to the nearest micro-dollar. Operators change it
 * with the rest of the table.
 */
export const DEFAULT_SANDBOX_MICRO_USD_PER_SECOND = 30;

/** Until an operator writes a table: list prices of the default models, and a safe default. */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  default: price(3_000_000, 15_000_000, 300_000, 3_750_000),
  models: {
    "gpt-4.1-mini": price(400_000, 1_600_000, 100_000, 0),
    "gpt-4.1": price(2_000_000, 8_000_000, 500_000, 0),
    "claude-sonnet-4-5": price(3_000_000, 15_000_000, 300_000, 3_750_000),
    "claude-haiku-4-5": price(1_000_000, 5_000_000, 100_000, 1_250_000),
    // The local simulator is priced like a small model so budgets can be tried out locally.
    "kiln-simulated": price(400_000, 1_600_000, 100_000, 0),
  },
  sandboxMicroUsdPerSecond: DEFAULT_SANDBOX_MICRO_USD_PER_SECOND,
};

function price(input: number, output: number, cacheRead: number, cacheWrite: number): ModelPrice {
  return {
    inputMicroUsdPerMillion: input,
    outputMicroUsdPerMillion: output,
    cacheReadMicroUsdPerMillion: cacheRead,
    cacheWriteMicroUsdPerMillion: cacheWrite,
  };
}

export function priceFor(table: PriceTable, model: string): ModelPrice {
  return table.models[model] ?? table.default;
}

/** What `sandboxSeconds` of sandbox time cost, in micro-dollars. */
export function sandboxCostMicroUsd(table: PriceTable, sandboxSeconds: number): number {
  const perSecond = table.sandboxMicroUsdPerSecond ?? DEFAULT_SANDBOX_MICRO_USD_PER_SECOND;
  return sandboxSeconds * perSecond;
}

/** Rounded up per part: a fraction of a micro-dollar is charged, never given away. */
export function costMicroUsd(price: ModelPrice, usage: Usage): number {
  const part = (tokens: number, perMillion: number) => Math.ceil((tokens * perMillion) / 1_000_000);
  return (
    part(usage.inputTokens, price.inputMicroUsdPerMillion) +
    part(usage.outputTokens, price.outputMicroUsdPerMillion) +
    part(usage.cacheReadTokens, price.cacheReadMicroUsdPerMillion) +
    part(usage.cacheWriteTokens, price.cacheWriteMicroUsdPerMillion)
  );
}

/** The most a call can cost: every prompt token at the input price, `maxOutputTokens` at the output price. */
export function worstCaseMicroUsd(
  price: ModelPrice,
  promptTokens: number,
  maxOutputTokens: number,
): number {
  return costMicroUsd(price, {
    inputTokens: promptTokens,
    outputTokens: maxOutputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  });
}
