-- Public intake: reports (meldingen), their receipts, the two-way message thread and attachments.
-- Direct identifiers and files are encrypted by the application (AES-256-GCM) under a per-report
-- data key; destroying that key row makes them unreadable (crypto-shredding).

create table data_key (
  id uuid primary key,
  kek_id text not null,            -- which key-encryption key wrapped it (rotation)
  wrapped_key bytea not null,
  created_at timestamptz not null default now()
);

create table report (
  id uuid primary key,
  received_at timestamptz not null default now(),
  language text not null check (language in ('nl', 'en')),
  audience text not null check (audience in ('self', 'environment', 'professional', 'perpetrator', 'other')),
  professional_org_type text,
  exploitation_forms text[] not null,
  municipality text not null,      -- CBS code, 'outside' or 'unknown'
  acute_danger boolean not null,
  narrative text not null,
  reply_channel text not null check (reply_channel in ('receipt', 'email', 'phone')),
  data_key_id uuid not null references data_key (id),
  contact_name bytea,              -- encrypted
  contact_email bytea,             -- encrypted
  contact_phone bytea,             -- encrypted
  safe_contact_hints bytea,        -- encrypted: when and how it is safe to reach them
  may_leave_message boolean,
  consent_version text not null,
  submission_key_hash text not null unique, -- keyed hash of the form's idempotency key
  receipt_shown_at timestamptz,
  last_activity_at timestamptz not null default now(),
  status text not null default 'new' check (status in ('new', 'in_progress', 'closed'))
);
create index report_received_at_idx on report (received_at desc);

create table receipt (
  report_id uuid primary key references report (id) on delete cascade,
  lookup_key text not null unique, -- HMAC of the receipt code; the code itself is never stored
  verifier text not null,          -- argon2id hash of the receipt code
  created_at timestamptz not null default now()
);

create table report_message (
  id uuid primary key,
  report_id uuid not null references report (id) on delete cascade,
  direction text not null check (direction in ('from_reporter', 'from_centre')),
  body text not null,
  author_user_id uuid,             -- staff author for messages from the centre
  created_at timestamptz not null default now(),
  read_by_reporter_at timestamptz,
  read_by_staff_at timestamptz
);
create index report_message_report_idx on report_message (report_id, created_at);

create table attachment (
  id uuid primary key,
  report_id uuid not null references report (id) on delete cascade,
  message_id uuid references report_message (id) on delete cascade,
  file_name bytea not null,        -- encrypted: names often carry personal data
  media_type text not null,        -- detected from content
  size_bytes integer not null,
  sha256 bytea not null,           -- encrypted: hex SHA-256 of the original upload (a plain hash
                                   -- would tell anyone holding the file that it was uploaded)
  original bytea not null,         -- encrypted original
  clean_media_type text not null,
  clean bytea not null,            -- encrypted copy without metadata, the one staff see
  created_at timestamptz not null default now()
);
create index attachment_report_idx on attachment (report_id);

-- Reporter sessions after a receipt login; only a hash of the cookie value is stored.
create table mailbox_session (
  id_hash text primary key,
  report_id uuid not null references report (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
