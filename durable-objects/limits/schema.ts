/**
 * The TeamGateway's limit tables. One row per key, small and bounded:
 * settings by name, one row per open reservation, one per request window,
 * one per budget period, one per (day, model, user) in the usage ledger, one
 * per alert sent, one per running sandbox.
 */
export const LIMITS_SCHEMA = `
  create table if not exists limit_settings (
    name text primary key,
    value text not null
  );
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
