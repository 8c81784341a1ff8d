/**
 * The TeamGateway's limit tables. One row per key, small and bounded:
 * settings by name, one per request window,
 * one per budget period, one per (day, model, user) in the usage ledger, one
 * per alert sent, one per running sandbox.
 */
export const LIMITS_SCHEMA = `
  create table if not exists limit_settings (
    name text primary key,
    value text not null
  );
  -- No longer written: open reservations live in memory (quota-store.ts); emptied at start.
  create table if not exists limit_reservations (
    id text primary key,
    user_id text not null,
    model text not null,
    tokens integer not null,
    cost_micro_usd integer not null,
    created_at integer not null,
    expires_at integer not null
  );
  create table if not exists limit_request_windows (
    window_start integer primary key,
    requests integer not null
  );
  create table if not exists limit_period_totals (
    period text primary key,
    tokens integer not null default 0,
    cost_micro_usd integer not null default 0
  );
  create table if not exists usage_ledger (
    day text not null,
    model text not null,
    user_id text not null,
    input_tokens integer not null default 0,
    output_tokens integer not null default 0,
    cost_micro_usd integer not null default 0,
    requests integer not null default 0,
    cache_hits integer not null default 0,
    errors integer not null default 0,
    sandbox_seconds integer not null default 0,
    primary key (day, model, user_id)
  );
  create table if not exists limit_alerts_sent (
    budget text not null,
    period text not null,
    threshold integer not null,
    sent_at integer not null,
    primary key (budget, period, threshold)
  );
  create table if not exists sandbox_slots (
    sandbox_id text primary key,
    user_id text not null,
    started_at integer not null,
    expires_at integer not null
  );
`;

/**
 * Columns added after a table first shipped. `create table if not exists`
 * leaves an existing object's table as it was, and SQLite has no
 * `add column if not exists`, so each is added when `pragma table_info` lacks it.
 */
const ADDED_COLUMNS = [
  { table: "usage_ledger", column: "sandbox_seconds", definition: "integer not null default 0" },
];

export function addMissingColumns(sql: SqlStorage) {
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const present = sql
      .exec<{ name: string }>(`select name from pragma_table_info('${table}')`)
      .toArray()
      .some((row) => row.name === column);
    if (!present) sql.exec(`alter table ${table} add column ${column} ${definition}`);
  }
}
