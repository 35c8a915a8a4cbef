-- Retention (AVG storage limitation), see features/retention. Reports that never became a case and
-- closed cases are deleted after their retention period; a closed case leaves one anonymised row of
-- statistical facts behind. A legal hold pauses deletion of a case. Old audit rows can be pruned
-- without breaking the hash chain: an anchor keeps the seq and hash of the last pruned row.

-- What is left of a deleted case: facts for the yearly figures, nothing that points back to the case
-- (no id, number, dates finer than a quarter, or people).
create table case_statistic (
  id uuid primary key,
  exploitation_forms text[] not null,
  municipality text not null,            -- CBS code, 'outside' or 'unknown'
  created_quarter text not null check (created_quarter ~ '^[0-9]{4}-Q[1-4]$'),
  closed_quarter text not null check (closed_quarter ~ '^[0-9]{4}-Q[1-4]$'),
  report_audiences text[] not null,      -- who reported, per linked report
  outcome text                           -- the closure reason
);

-- One row per run of the retention job: when, and how many of each kind were removed. Counts only.
create table retention_run (
  id uuid primary key,
  started_at timestamptz not null,
  finished_at timestamptz,
  counts jsonb
);
create index retention_run_started_idx on retention_run (started_at desc);

-- A coordinator's legal hold: the case is not deleted while this row exists. Placing and lifting are
-- in the case's timeline (case_event) and in the audit log, with the reason.
create table case_legal_hold (
  case_id uuid primary key references case_file (id) on delete cascade,
  reason text not null check (char_length(reason) between 10 and 500),
  placed_by uuid references staff_user (id),
  placed_at timestamptz not null default now()
);

-- Where the audit chain now starts: the seq and hash of the last pruned row. Append-only; a new
-- anchor must name an existing row, later than the previous anchor.
create table audit_anchor (
  seq bigint primary key check (seq >= 1),
  hash text not null,
  pruned_count bigint not null,
  created_at timestamptz not null default now()
);

create function audit_anchor_check() returns trigger
language plpgsql as $$
begin
  if not exists (select 1 from audit_event where seq = new.seq and hash = new.hash) then
    raise exception 'audit_anchor must name an existing audit_event row with its hash'
      using errcode = 'check_violation';
  end if;
  if exists (select 1 from audit_anchor where seq >= new.seq) then
    raise exception 'audit_anchor must come after the previous anchor'
      using errcode = 'check_violation';
  end if;
  return new;
end;
$$;

create trigger audit_anchor_valid
  before insert on audit_anchor
  for each row execute function audit_anchor_check();

create trigger audit_anchor_append_only
  before update or delete on audit_anchor
  for each row execute function audit_event_refuse_change();

create trigger audit_anchor_no_truncate
  before truncate on audit_anchor
  for each statement execute function audit_event_refuse_change();

-- audit_event stays append-only, with one exception: with `set local baken.audit_prune = 'on'` a
-- transaction may delete rows up to the latest anchor (the oldest rows), and nothing after it.
create or replace function audit_event_refuse_change() returns trigger
language plpgsql as $$
begin
  if tg_op = 'DELETE' and tg_table_name = 'audit_event'
     and coalesce(current_setting('baken.audit_prune', true), '') = 'on' then
    if old.seq <= (select coalesce(max(seq), 0) from audit_anchor) then
      return old;
    end if;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end;
$$;
