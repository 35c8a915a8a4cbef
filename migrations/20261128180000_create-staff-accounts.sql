-- Staff accounts grow up: teams, invitations and reset links, passkeys (WebAuthn), per-role rules,
-- and an outbox for e-mail so that a message is sent only when what it announces has committed.

create table team (
  id uuid primary key,
  name text not null,
  created_at timestamptz not null default now()
);
create unique index team_name_idx on team (lower(name));

alter table staff_user add column team_id uuid references team (id);
-- Invited users have no password until they accept the invitation.
alter table staff_user alter column password_hash drop not null;
alter table staff_user add column invited_at timestamptz;
alter table staff_user add column activated_at timestamptz;
-- Later issues add partner and statistics users; the policy already knows those roles.
alter table staff_user drop constraint staff_user_role_check;
alter table staff_user add constraint staff_user_role_check
  check (role in ('admin', 'coordinator', 'advisor', 'partner', 'statistics'));

-- One-time links sent by e-mail: an invitation (set a password, enrol a second factor) or a reset
-- link (after a lock-out or a forgotten password). Only a keyed hash of the token is stored.
create table staff_token (
  token_hash text primary key,
  user_id uuid not null references staff_user (id) on delete cascade,
  purpose text not null check (purpose in ('invite', 'reset')),
  created_by uuid references staff_user (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index staff_token_user_idx on staff_token (user_id, purpose);

-- WebAuthn credentials. `counter` guards against cloned authenticators where the device keeps one.
create table staff_passkey (
  id uuid primary key,
  user_id uuid not null references staff_user (id) on delete cascade,
  credential_id text not null unique,   -- base64url
  public_key bytea not null,            -- COSE public key
  counter bigint not null default 0,
  transports text[] not null default '{}',
  device_type text,
  backed_up boolean not null default false,
  name text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index staff_passkey_user_idx on staff_passkey (user_id);

-- A WebAuthn challenge waits here between the options and the answer; used once, short-lived.
-- `flow_hash` is the SHA-256 of a random value in a short-lived cookie (sign-in before any session).
create table webauthn_challenge (
  flow_hash text primary key,
  purpose text not null check (purpose in ('register', 'authenticate')),
  user_id uuid references staff_user (id) on delete cascade,
  challenge text not null,
  expires_at timestamptz not null
);

-- Rules per role set by an administrator: `require_passkey` means password + TOTP is not enough.
create table role_setting (
  role text primary key check (role in ('admin', 'coordinator', 'advisor', 'partner', 'statistics')),
  require_passkey boolean not null default false,
  updated_by uuid references staff_user (id),
  updated_at timestamptz not null default now()
);

-- Outgoing e-mail. Written in the same transaction as what it announces, delivered by a worker that
-- claims rows with FOR UPDATE SKIP LOCKED (several processes can run it). The recipient is encrypted
-- (a derived key); recipient and body are wiped once the message is sent.
create table mail_outbox (
  id uuid primary key,
  kind text not null,                   -- 'staff_invite', 'staff_reset', 'reporter_news', 'task_reminder'
  recipient bytea,
  subject text not null,
  body text,
  created_at timestamptz not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  sent_at timestamptz,
  failed_at timestamptz,
  last_error text
);
create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null and failed_at is null;
