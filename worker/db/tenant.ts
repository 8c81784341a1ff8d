/**
 * Tenant queries run as the caller, the way PostgREST runs them: one
 * transaction per unit of work that first switches to the `authenticated`
 * role and sets `request.jwt.claims` to the verified claims, both
 * transaction-local (`set_config(..., true)`). Row Level Security then
 * decides what the query may see or change, so a query that forgets its
 * `team_id` filter still cannot reach another team's rows.
 *
 * Privileged work (creating a personal team, accepting an invitation, the
 * queue consumer) uses `withSql` directly and says why where it does.
 */
import type postgres from "postgres";
import type { AuthContext } from "../auth/verify.ts";
import type { Env } from "../env.ts";
import { type Sql, withSql } from "./client.ts";

/** A transaction with the caller's identity in force. */
export type TenantSql = postgres.TransactionSql;

export async function withTenant<T>(
  env: Env,
  auth: AuthContext,
  work: (sql: TenantSql) => Promise<T>,
): Promise<T> {
  return withSql(env, (sql) => asTenant(sql, auth, work));
}

/** Runs `work` inside one transaction on `sql` as the caller. */
export async function asTenant<T>(
  sql: Sql,
  auth: AuthContext,
  work: (sql: TenantSql) => Promise<T>,
): Promise<T> {
  const claims = JSON.stringify({ ...auth.claims, role: "authenticated", sub: auth.userId });
  const result = await sql.begin(async (tx) => {
    await tx`
      select set_config('role', 'authenticated', true),
        set_config('request.jwt.claims', ${claims}, true)`;
    return work(tx);
  });
  // postgres.js types begin() as returning UnwrapPromiseArray<T>; for a plain T it is T.
  return result as T;
}
