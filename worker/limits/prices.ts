/**
 * The price table in KV. Read on every reservation (KV reads are cached at
 * the edge); a missing or unreadable table falls back to the built-in one,
 * whose default price is the dearest, so a KV fault never makes calls free.
 */
import {
  DEFAULT_PRICE_TABLE,
  PRICE_TABLE_KEY,
  type PriceTable,
  priceTableSchema,
} from "../../contract/prices.ts";
import { logger } from "../logger.ts";

export async function readPriceTable(kv: KVNamespace): Promise<PriceTable> {
  try {
    const stored = await kv.get(PRICE_TABLE_KEY, "json");
    if (stored === null) return DEFAULT_PRICE_TABLE;
    const parsed = priceTableSchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    logger.error("prices.invalid", { key: PRICE_TABLE_KEY });
  } catch (error) {
    logger.error("prices.unreadable", { error: String(error) });
  }
  return DEFAULT_PRICE_TABLE;
}

export async function writePriceTable(kv: KVNamespace, table: PriceTable): Promise<void> {
  await kv.put(PRICE_TABLE_KEY, JSON.stringify(table));
}
