/**
 * The embedded Postgres shares PGlite's one session among connections. These
 * are the ways a naive share breaks, each seen in the local stack: concurrent
 * extended-protocol queries replacing each other's unnamed portal, one
 * transaction seeing another connection's statements, and an abandoned
 * transaction stalling everyone behind it.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDatabase, startLocalDatabase } from "./pglite-server.ts";

let database: LocalDatabase;
const clients: postgres.Sql[] = [];

function client(options: postgres.Options<Record<string, never>> = {}) {
  const sql = postgres(database.url, { max: 1, onnotice: () => {}, ...options });
  clients.push(sql);
  return sql;
}

beforeAll(async () => {
  database = await startLocalDatabase({ idleInTransactionTimeoutMs: 500 });
  await client()`create table if not exists wire_test (id int primary key, note text)`;
});

afterAll(async () => {
  await Promise.all(clients.map((sql) => sql.end({ timeout: 1 }).catch(() => {})));
  await database?.stop();
});

describe("the embedded Postgres", () => {
  it("answers concurrent connections' parameterised queries, each with its own result", async () => {
    const connections = Array.from({ length: 8 }, () => client());
    const results = await Promise.all(
      connections.flatMap((sql, connection) =>
        Array.from({ length: 40 }, async (_, index) => {
          const value = connection * 1000 + index;
          // A different statement per connection, so one answering another's
          // Bind shows; named (postgres.js's default) and unnamed (Hyperdrive's) both.
          const [row] = await sql.unsafe(`select $1::int + ${connection} as answer`, [value], {
            prepare: index % 2 === 0,
          });
          return { expected: value + connection, got: row?.answer };
        }),
      ),
    );
    expect(results).toHaveLength(320);
    for (const result of results) expect(result.got).toBe(result.expected);
  });

  it("keeps a transaction to its own connection while others run", async () => {
    const writer = client();
    const reader = client();
    const committed = writer.begin(async (tx) => {
      await tx`insert into wire_test values (1, 'inside')`;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await tx`update wire_test set note = 'committed' where id = 1`;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Waits for the writer's transaction instead of running inside it.
    const [row] = await reader`select note from wire_test where id = 1`;
    await committed;
    expect(row?.note).toBe("committed");
  });

  it("rolls back a transaction left idle while others wait, and tells its connection", async () => {
    const abandoned = client();
    const other = client();
    const reserved = await abandoned.reserve();
    await reserved`begin`;
    await reserved`insert into wire_test values (2, 'never committed')`;
    // ...and never commits, like a request cancelled mid-transaction.

    const [row] = await other`select count(*)::int as count from wire_test where id = 2`;
    expect(row?.count).toBe(0);
    await expect(reserved`select 1`).rejects.toMatchObject({ code: "25P03" });
    // The connection stays usable afterwards.
    const [again] = await reserved`select 2 as two`;
    expect(again?.two).toBe(2);
    reserved.release();
  });

  it("rolls back at once the transaction of a connection that closes", async () => {
    // No idle timeout to fall back on: only the close can free the session.
    const patient = await startLocalDatabase({ idleInTransactionTimeoutMs: 600_000 });
    try {
      const leaving = postgres(patient.url, { max: 1, onnotice: () => {} });
      const other = postgres(patient.url, { max: 1, onnotice: () => {} });
      await other`create table left_behind (id int)`;
      const reserved = await leaving.reserve();
      await reserved`begin`;
      await reserved`insert into left_behind values (1)`;
      await leaving.end({ timeout: 0 });

      const [row] = await other`select count(*)::int as count from left_behind`;
      expect(row?.count).toBe(0);
      await other.end({ timeout: 1 });
    } finally {
      await patient.stop();
    }
  });
});
