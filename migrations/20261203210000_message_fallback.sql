-- Which answers a fallback target served (issue 4): shown with the answer.
alter table public.messages add column if not exists fallback_used boolean not null default false;
