-- Roles that mean something, invitations, the request and sandbox logs, and
-- a policy for every action on every table.
--
-- Security: the Worker now runs tenant queries as the caller (role
-- `authenticated` and the verified JWT claims set per transaction, as
-- PostgREST does), so these policies are the rule, not a second line: a
-- query that forgets its team_id filter still sees only the caller's teams.
-- Roles: owner > admin > member > viewer. Viewers read; members and up
-- write conversations and messages; owners and admins manage people; only an
-- owner grants or removes the owner role. The request and sandbox logs are
-- written only by the queue consumer (a privileged connection, which RLS
-- does not restrict); every caller may read their own teams' rows.
-- Re-applying this file is harmless: every object is created if missing and
-- every policy is dropped and created again.

-- The caller's role in a team, or null. security definer so policies can
-- read memberships without recursing into the memberships policies.
create or replace function public.current_user_team_role(team uuid) returns text
  language sql stable security definer
  set search_path = ''
as $$
  select role from public.memberships where team_id = team and user_id = (select auth.uid())
$$;

create or replace function public.current_user_has_team_role(team uuid, roles text[])
  returns boolean
  language sql stable security definer
  set search_path = ''
as $$
  select coalesce(public.current_user_team_role(team) = any (roles), false)
$$;

create table if not exists public.invitations (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  email text not null check (email = lower(email) and length(email) between 3 and 254),
  role text not null check (role in ('admin', 'member', 'viewer')),
  invited_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (team_id, email)
);

create index if not exists invitations_email_idx on public.invitations (email);

create table if not exists public.request_log (
  team_id uuid not null references public.teams (id) on delete cascade,
  request_id text not null,
  user_id uuid,
  conversation_id uuid,
  provider text,
  model text,
  outcome text not null,
  error_kind text,
  input_tokens integer not null default 0,
  output_tokens integer not null default 0,
  cache_read_tokens integer not null default 0,
  cache_write_tokens integer not null default 0,
  latency_ms integer,
  created_at timestamptz not null default now(),
  primary key (team_id, request_id)
);

create index if not exists request_log_team_created_idx
  on public.request_log (team_id, created_at desc);

create table if not exists public.sandbox_records (
  id text not null,
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid,
  conversation_id uuid,
  template text,
  event text not null,
  detail jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  primary key (team_id, id, event)
);

-- A message's team must be its conversation's team, so a message cannot be
-- filed into another team's conversation, whoever writes it.
do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'conversations_id_team_id_key') then
    alter table public.conversations
      add constraint conversations_id_team_id_key unique (id, team_id);
  end if;
  if not exists (select 1 from pg_constraint where conname = 'messages_conversation_team_fkey') then
    alter table public.messages
      add constraint messages_conversation_team_fkey foreign key (conversation_id, team_id)
      references public.conversations (id, team_id) on delete cascade;
  end if;
end
$$;

alter table public.invitations enable row level security;
alter table public.request_log enable row level security;
alter table public.sandbox_records enable row level security;
-- The migration runner's own bookkeeping: no policy, so no API role reads it.
alter table if exists public.kiln_schema_migrations enable row level security;

-- profiles
drop policy if exists "profiles: read own" on public.profiles;
drop policy if exists "profiles: read self and teammates" on public.profiles;
create policy "profiles: read self and teammates" on public.profiles
  for select to authenticated
  using (
    id = (select auth.uid())
    or exists (
      select 1 from public.memberships m
      where m.user_id = profiles.id and m.team_id in (select public.current_user_team_ids())
    )
  );

drop policy if exists "profiles: create own" on public.profiles;
create policy "profiles: create own" on public.profiles
  for insert to authenticated with check (id = (select auth.uid()));

drop policy if exists "profiles: update own" on public.profiles;
create policy "profiles: update own" on public.profiles
  for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));

drop policy if exists "profiles: never deleted through the API" on public.profiles;
create policy "profiles: never deleted through the API" on public.profiles
  for delete to authenticated using (false);

-- teams (created by the Worker's privileged connection, with the owner's membership)
drop policy if exists "teams: created by the server only" on public.teams;
create policy "teams: created by the server only" on public.teams
  for insert to authenticated with check (false);

drop policy if exists "teams: owners and admins rename" on public.teams;
create policy "teams: owners and admins rename" on public.teams
  for update to authenticated
  using (public.current_user_has_team_role(id, array['owner', 'admin']))
  with check (public.current_user_has_team_role(id, array['owner', 'admin']));

drop policy if exists "teams: owners delete" on public.teams;
create policy "teams: owners delete" on public.teams
  for delete to authenticated using (public.current_user_has_team_role(id, array['owner']));

-- memberships
drop policy if exists "memberships: owners and admins add" on public.memberships;
create policy "memberships: owners and admins add" on public.memberships
  for insert to authenticated
  with check (
    public.current_user_has_team_role(team_id, array['owner', 'admin'])
    and (role <> 'owner' or public.current_user_has_team_role(team_id, array['owner']))
  );

drop policy if exists "memberships: owners and admins change roles" on public.memberships;
create policy "memberships: owners and admins change roles" on public.memberships
  for update to authenticated
  using (
    public.current_user_has_team_role(team_id, array['owner', 'admin'])
    and (role <> 'owner' or public.current_user_has_team_role(team_id, array['owner']))
  )
  with check (
    public.current_user_has_team_role(team_id, array['owner', 'admin'])
    and (role <> 'owner' or public.current_user_has_team_role(team_id, array['owner']))
  );

drop policy if exists "memberships: owners and admins remove, anyone leaves" on public.memberships;
create policy "memberships: owners and admins remove, anyone leaves" on public.memberships
  for delete to authenticated
  using (
    user_id = (select auth.uid())
    or (
      public.current_user_has_team_role(team_id, array['owner', 'admin'])
      and (role <> 'owner' or public.current_user_has_team_role(team_id, array['owner']))
    )
  );

-- invitations
drop policy if exists "invitations: owners, admins and the invitee read" on public.invitations;
create policy "invitations: owners, admins and the invitee read" on public.invitations
  for select to authenticated
  using (
    public.current_user_has_team_role(team_id, array['owner', 'admin'])
    or email = lower((select auth.jwt()) ->> 'email')
  );

drop policy if exists "invitations: owners and admins invite" on public.invitations;
create policy "invitations: owners and admins invite" on public.invitations
  for insert to authenticated
  with check (
    public.current_user_has_team_role(team_id, array['owner', 'admin'])
    and invited_by = (select auth.uid())
  );

drop policy if exists "invitations: owners and admins change" on public.invitations;
create policy "invitations: owners and admins change" on public.invitations
  for update to authenticated
  using (public.current_user_has_team_role(team_id, array['owner', 'admin']))
  with check (public.current_user_has_team_role(team_id, array['owner', 'admin']));

drop policy if exists "invitations: owners and admins withdraw" on public.invitations;
create policy "invitations: owners and admins withdraw" on public.invitations
  for delete to authenticated
  using (public.current_user_has_team_role(team_id, array['owner', 'admin']));

-- conversations (viewers read but never write)
drop policy if exists "conversations: members create" on public.conversations;
drop policy if exists "conversations: members and up create" on public.conversations;
create policy "conversations: members and up create" on public.conversations
  for insert to authenticated
  with check (
    public.current_user_has_team_role(team_id, array['owner', 'admin', 'member'])
    and created_by = (select auth.uid())
  );

drop policy if exists "conversations: members and up rename" on public.conversations;
create policy "conversations: members and up rename" on public.conversations
  for update to authenticated
  using (public.current_user_has_team_role(team_id, array['owner', 'admin', 'member']))
  with check (public.current_user_has_team_role(team_id, array['owner', 'admin', 'member']));

drop policy if exists "conversations: owners, admins and the author delete" on public.conversations;
create policy "conversations: owners, admins and the author delete" on public.conversations
  for delete to authenticated
  using (
    public.current_user_has_team_role(team_id, array['owner', 'admin'])
    or (
      created_by = (select auth.uid())
      and public.current_user_has_team_role(team_id, array['member'])
    )
  );

-- messages
drop policy if exists "messages: members and up write" on public.messages;
create policy "messages: members and up write" on public.messages
  for insert to authenticated
  with check (public.current_user_has_team_role(team_id, array['owner', 'admin', 'member']));

drop policy if exists "messages: never edited through the API" on public.messages;
create policy "messages: never edited through the API" on public.messages
  for update to authenticated using (false);

drop policy if exists "messages: owners and admins delete" on public.messages;
create policy "messages: owners and admins delete" on public.messages
  for delete to authenticated
  using (public.current_user_has_team_role(team_id, array['owner', 'admin']));

-- request_log and sandbox_records: read by the team, written by the queue consumer
drop policy if exists "request_log: members read" on public.request_log;
create policy "request_log: members read" on public.request_log
  for select to authenticated using (team_id in (select public.current_user_team_ids()));

drop policy if exists "request_log: written by the queue consumer only" on public.request_log;
create policy "request_log: written by the queue consumer only" on public.request_log
  for insert to authenticated with check (false);

drop policy if exists "request_log: never edited through the API" on public.request_log;
create policy "request_log: never edited through the API" on public.request_log
  for update to authenticated using (false);

drop policy if exists "request_log: never deleted through the API" on public.request_log;
create policy "request_log: never deleted through the API" on public.request_log
  for delete to authenticated using (false);

drop policy if exists "sandbox_records: members read" on public.sandbox_records;
create policy "sandbox_records: members read" on public.sandbox_records
  for select to authenticated using (team_id in (select public.current_user_team_ids()));

drop policy if exists "sandbox_records: written by the queue consumer only" on public.sandbox_records;
create policy "sandbox_records: written by the queue consumer only" on public.sandbox_records
  for insert to authenticated with check (false);

drop policy if exists "sandbox_records: never edited through the API" on public.sandbox_records;
create policy "sandbox_records: never edited through the API" on public.sandbox_records
  for update to authenticated using (false);

drop policy if exists "sandbox_records: never deleted through the API" on public.sandbox_records;
create policy "sandbox_records: never deleted through the API" on public.sandbox_records
  for delete to authenticated using (false);

-- As on Supabase, grants open the tables to the API role and RLS decides.
grant usage on schema public to authenticated;
grant select, insert, update, delete on
  public.profiles, public.teams, public.memberships, public.invitations,
  public.conversations, public.messages, public.request_log, public.sandbox_records
  to authenticated;
grant execute on function public.current_user_team_ids() to authenticated;
grant execute on function public.current_user_team_role(uuid) to authenticated;
grant execute on function public.current_user_has_team_role(uuid, text[]) to authenticated;
