-- Case files (casussen), HTCDS-aligned (see docs/architecture.md). Direct identifiers of persons are
-- encrypted under the case's data key, as reports are under theirs.

-- Case numbers are year + sequence (2026-0042); one counter row per year, taken with a row lock.
create table case_number_counter (
  year integer primary key,
  last_number integer not null
);

create table case_file (
  id uuid primary key,
  number text not null unique,
  title text not null,                   -- short working title, no direct identifiers
  summary text not null default '',
  status text not null default 'new'
    check (status in ('new', 'triage', 'in_progress', 'referred', 'closed')),
  closure_reason text check (closure_reason in
    ('advice_given', 'referred', 'no_trafficking', 'no_contact_possible', 'victim_declined', 'other')),
  closure_note text,
  closure_requested_by uuid references staff_user (id),
  closure_requested_at timestamptz,
  closure_approved_by uuid references staff_user (id),
  closed_at timestamptz,
  urgency text not null default 'normal' check (urgency in ('low', 'normal', 'high', 'acute')),
  municipality text not null default 'unknown',   -- CBS code, 'outside' or 'unknown'
  exploitation_forms text[] not null default '{}',
  labour_industry text,                            -- ISIC section letter for labour exploitation
  control_methods text[] not null default '{}',    -- HTCDS control methods
  recruitment_methods text[] not null default '{}',-- HTCDS recruitment methods
  assigned_user_id uuid references staff_user (id),
  team_id uuid references team (id),
  data_key_id uuid not null references data_key (id),
  created_by uuid references staff_user (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  search tsvector generated always as
    (to_tsvector('dutch', number || ' ' || title || ' ' || summary)) stored
);
create index case_file_updated_idx on case_file (updated_at desc, id desc);
create index case_file_assigned_idx on case_file (assigned_user_id, updated_at desc);
create index case_file_team_idx on case_file (team_id, updated_at desc);
create index case_file_status_idx on case_file (status, updated_at desc);
create index case_file_search_idx on case_file using gin (search);

-- A case can hold several reports; a report belongs to at most one case.
create table case_report (
  report_id uuid primary key references report (id) on delete cascade,
  case_id uuid not null references case_file (id) on delete cascade,
  linked_by uuid references staff_user (id),
  linked_at timestamptz not null default now()
);
create index case_report_case_idx on case_report (case_id);

alter table report add column search tsvector generated always as (to_tsvector('dutch', narrative)) stored;
create index report_search_idx on report using gin (search);

create table case_person (
  id uuid primary key,
  case_id uuid not null references case_file (id) on delete cascade,
  role text not null check (role in
    ('presumed_victim', 'concerned_person', 'professional', 'suspected_perpetrator', 'other')),
  name bytea,                            -- encrypted: name or alias
  contact bytea,                         -- encrypted
  age integer check (age between 0 and 120),
  age_band text,
  age_at_exploitation_start integer check (age_at_exploitation_start between 0 and 120),
  sex text check (sex in ('female', 'male', 'other', 'unknown')),
  nationality text,                      -- ISO 3166-1 alpha-2 or 'unknown'
  languages text[] not null default '{}',
  trafficking_status text check (trafficking_status in ('possible', 'actual', 'not_a_victim')),
  decision_organisation text,
  relationship_to_perpetrator text,
  created_by uuid references staff_user (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create index case_person_case_idx on case_person (case_id);

-- Indicator lists are data, versioned: a new list version adds rows, assessments keep pointing at the
-- version they were made against.
create table indicator_definition (
  list_version text not null,
  code text not null,
  form text not null,                    -- 'general' or an exploitation form code
  position integer not null,
  label_nl text not null,
  label_en text not null,
  primary key (list_version, code)
);

-- Every tick and untick is a row (who, when, remark); the current state is the latest row per code.
create table indicator_assessment (
  id uuid primary key,
  case_id uuid not null references case_file (id) on delete cascade,
  list_version text not null,
  code text not null,
  present boolean not null,
  remark text,
  assessed_by uuid references staff_user (id),
  assessed_at timestamptz not null default now(),
  foreign key (list_version, code) references indicator_definition (list_version, code)
);
create index indicator_assessment_case_idx on indicator_assessment (case_id, code, assessed_at desc);

create table case_note (
  id uuid primary key,
  case_id uuid not null references case_file (id) on delete cascade,
  body text not null,
  author_user_id uuid references staff_user (id),
  created_at timestamptz not null default now(),
  search tsvector generated always as (to_tsvector('dutch', body)) stored
);
create index case_note_case_idx on case_note (case_id, created_at desc);
create index case_note_search_idx on case_note using gin (search);

create table case_task (
  id uuid primary key,
  case_id uuid not null references case_file (id) on delete cascade,
  title text not null,
  due_on date,
  owner_user_id uuid references staff_user (id),
  created_by uuid references staff_user (id),
  created_at timestamptz not null default now(),
  done_at timestamptz,
  done_by uuid references staff_user (id),
  reminded_at timestamptz
);
create index case_task_case_idx on case_task (case_id, created_at);
create index case_task_due_idx on case_task (due_on) where done_at is null;
create index case_task_owner_idx on case_task (owner_user_id, due_on) where done_at is null;

-- Changes of status, assignment and the like, for the timeline. Notes, messages and tasks come to
-- the timeline from their own tables (not stored twice).
create table case_event (
  id uuid primary key,
  case_id uuid not null references case_file (id) on delete cascade,
  kind text not null,                    -- 'created', 'status', 'assigned', 'report_linked', 'closure_requested', ...
  actor_user_id uuid references staff_user (id),
  at timestamptz not null default now(),
  details jsonb not null default '{}'
);
create index case_event_case_idx on case_event (case_id, at);

-- Break the glass: an advisor opened a case outside their own and team's with a stated reason. The
-- reason is also in the audit log; this row lets the advisor work on for a while without re-asking
-- and lets the coordinator see who looked where and why.
create table case_access_grant (
  id uuid primary key,
  case_id uuid not null references case_file (id) on delete cascade,
  user_id uuid not null references staff_user (id) on delete cascade,
  reason text not null,
  granted_at timestamptz not null default now(),
  expires_at timestamptz not null,
  reviewed_by uuid references staff_user (id),
  reviewed_at timestamptz
);
create index case_access_grant_user_idx on case_access_grant (user_id, case_id, expires_at);
create index case_access_grant_review_idx on case_access_grant (granted_at desc) where reviewed_at is null;
