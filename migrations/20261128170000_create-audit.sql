-- Audit log: every read and change of case data, every login and failure, export and
-- break-the-glass. Append-only and hash-chained: each row carries the hash of the row before it, so
-- `npm run audit:verify` finds any row edited or deleted outside the application.
-- No case content here, and no IP addresses.

create table audit_event (
  -- Assigned by the application under an advisory lock as the previous row's seq + 1 (no sequence:
  -- a rolled-back transaction would leave a gap), so a gap always means a deleted row.
  seq bigint primary key check (seq >= 1),
  id uuid not null unique,
  at timestamptz not null,         -- set by the application, whole milliseconds (part of the hash)
  actor_user_id uuid,              -- staff user; null for the system and for public actors
  actor_role text,                 -- 'system', 'admin', 'coordinator', 'advisor', 'reporter', ...
  action text not null,            -- 'case.read', 'login.success', 'staff.created', ...
  entity_type text,
  entity_id text,
  reason text,                     -- why, where asked (break-the-glass)
  request_id text,
  details jsonb,                   -- small facts about the event, never personal content
  prev_hash text not null unique,  -- unique: the chain can never fork
  hash text not null unique        -- SHA-256 (hex) of this row's fields and prev_hash
);
create index audit_event_entity_idx on audit_event (entity_type, entity_id, seq);
create index audit_event_actor_idx on audit_event (actor_user_id, seq);
create index audit_event_at_idx on audit_event (at);

-- Rows can only be added. Changing or removing them needs the table owner to disable these
-- triggers first, and the hash chain shows whatever was done while they were off.
create function audit_event_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_event is append-only: % refused', tg_op
    using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_append_only
  before update or delete on audit_event
  for each row execute function audit_event_refuse_change();

create trigger audit_event_no_truncate
  before truncate on audit_event
  for each statement execute function audit_event_refuse_change();
