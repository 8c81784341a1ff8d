/**
 * The embedded Postgres must not let one abandoned transaction stall every
 * other connection (PGlite has a single session; a real server would block
 * only that one).
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDatabase, startLocalDatabase } from "./pglite-server.ts";

let database: LocalDatabase;

beforeAll(async () => {
  database = await startLocalDatabase();
});

afterAll(async () => {
  await database?.stop();
});

describe("the embedded Postgres", () => {
  it("closes a connection left idle in a transaction so others get answers", async () => {
    const abandoned = postgres(database.url, { max: 1, onnotice: () => {} });
    const other = postgres(database.url, { max: 1, onnotice: () => {} });
    abandoned.reserve().then(async (reserved) => {
      await reserved`begin`;
      await reserved`select 1`;
      // ...and never commits, like a request cancelled mid-transaction.
    });
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Without the watchdog this waits forever behind the open transaction.
    const [row] = await other`select 41 + 1 as answer`;
    expect(row?.answer).toBe(42);

    await other.end({ timeout: 1 });
    await abandoned.end({ timeout: 0 }).catch(() => {});
  });
});
