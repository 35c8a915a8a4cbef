-- An anchor decides how much of the audit log may be deleted, and any session of the app role can
-- insert one. So the database itself now checks what an anchor may cover, instead of trusting the
-- values in the insert:
-- - every row it covers (after the previous anchor, up to and including the named row) must be at
--   least a year old by the database's clock: a year is the shortest retention the configuration
--   allows (BAKEN_RETENTION_AUDIT_YEARS >= 1). Checking every covered row, not only the named one,
--   matters because `at` is written by the application: a freshly appended row with a back-dated `at`
--   would otherwise let all the recent rows before it go;
-- - it may not cover an audit row about a case under a legal hold;
-- - `anchored_at` (the named row's time) and `pruned_count` (the rows it actually covers) are filled
--   in here; whatever the insert says is ignored.
-- Anchors written before this migration keep a null anchored_at: their rows are gone.

alter table audit_anchor add column anchored_at timestamptz;

create or replace function audit_anchor_check() returns trigger
language plpgsql as $$
declare
  previous bigint;
  named_at timestamptz;
  youngest timestamptz;
  covered bigint;
begin
  select at into named_at from audit_event where seq = new.seq and hash = new.hash;
  if not found then
    raise exception 'audit_anchor must name an existing audit_event row with its hash'
      using errcode = 'check_violation';
  end if;
  if exists (select 1 from audit_anchor where seq >= new.seq) then
    raise exception 'audit_anchor must come after the previous anchor'
      using errcode = 'check_violation';
  end if;
  select coalesce(max(seq), 0) into previous from audit_anchor;
  select max(at), count(*) into youngest, covered
    from audit_event where seq > previous and seq <= new.seq;
  if named_at > now() - interval '1 year' or youngest > now() - interval '1 year' then
    raise exception 'audit_anchor may only cover audit_event rows older than a year'
      using errcode = 'check_violation';
  end if;
  if exists (
    select 1 from case_legal_hold h
    where exists (
      select 1 from audit_event e
      where e.entity_type = 'case' and e.entity_id = h.case_id::text
        and e.seq > previous and e.seq <= new.seq
    )
  ) then
    raise exception 'audit_anchor may not cover audit_event rows of a case under a legal hold'
      using errcode = 'check_violation';
  end if;
  new.anchored_at := named_at;
  new.pruned_count := covered;
  new.created_at := now();
  return new;
end;
$$;
