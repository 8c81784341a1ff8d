-- Answers longer than what one saved message keeps (issue 9): the stream
-- gave the whole answer, history keeps its start and says so. The existing
-- row-level security policies on messages cover the new column.
alter table public.messages add column if not exists content_truncated boolean not null default false;
