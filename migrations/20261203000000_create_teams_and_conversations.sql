-- Teams, memberships, conversations and messages: the system of record for
-- who belongs where and for chat history that survives reloads and devices.
--
-- Security: the Worker connects with a privileged role and authorizes every
-- request itself (membership is checked on each call). RLS is the second
-- line: it stops any direct client access (PostgREST with a user's JWT) from
-- reading or writing outside the caller's teams. Every table enables RLS in
-- this file, with one named policy per action.

create table if not exists public.profiles (
  id uuid primary key,
  email text not null unique,
  created_at timestamptz not null default now()
);

create table if not exists public.teams (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  personal_owner_id uuid unique references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now()
);

create table if not exists public.memberships (
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (team_id, user_id)
);

create index if not exists memberships_user_id_idx on public.memberships (user_id);

create table if not exists public.conversations (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  created_by uuid not null references public.profiles (id) on delete cascade,
  title text not null check (length(title) between 1 and 200),
  template text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index if not exists conversations_team_updated_idx
  on public.conversations (team_id, updated_at desc);

create table if not exists public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  team_id uuid not null references public.teams (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null,
  role text not null check (role in ('user', 'assistant')),
  content text not null,
  status text not null default 'complete'
    check (status in ('complete', 'error', 'aborted', 'streaming')),
  provider text,
  model text,
  input_tokens integer,
  output_tokens integer,
  cache_read_tokens integer,
  cache_write_tokens integer,
  attachments jsonb not null default '[]'::jsonb,
  error_code text,
  created_at timestamptz not null default now()
);

create index if not exists messages_conversation_created_idx
  on public.messages (conversation_id, created_at);

-- A helper the policies share: the teams the calling user belongs to.
-- security definer so it can read memberships without recursing into the
-- memberships policies.
create or replace function public.current_user_team_ids() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select team_id from public.memberships where user_id = (select auth.uid())
$$;

alter table public.profiles enable row level security;
alter table public.teams enable row level security;
alter table public.memberships enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;

drop policy if exists "profiles: read own" on public.profiles;
create policy "profiles: read own" on public.profiles
  for select to authenticated using (id = (select auth.uid()));

drop policy if exists "teams: members read" on public.teams;
create policy "teams: members read" on public.teams
  for select to authenticated using (id in (select public.current_user_team_ids()));

drop policy if exists "memberships: members read their teams" on public.memberships;
create policy "memberships: members read their teams" on public.memberships
  for select to authenticated using (team_id in (select public.current_user_team_ids()));

drop policy if exists "conversations: members read" on public.conversations;
create policy "conversations: members read" on public.conversations
  for select to authenticated using (team_id in (select public.current_user_team_ids()));

drop policy if exists "conversations: members create" on public.conversations;
create policy "conversations: members create" on public.conversations
  for insert to authenticated
  with check (
    team_id in (select public.current_user_team_ids()) and created_by = (select auth.uid())
  );

drop policy if exists "messages: members read" on public.messages;
create policy "messages: members read" on public.messages
  for select to authenticated using (team_id in (select public.current_user_team_ids()));

grant usage on schema public to authenticated;
grant select on public.profiles, public.teams, public.memberships to authenticated;
grant select, insert on public.conversations to authenticated;
grant select on public.messages to authenticated;
