-- Staff sign-in: password, then a second factor (TOTP or a recovery code), then a server-side session.

-- Consecutive failed sign-in attempts (password or second factor); at 10 the account is locked until
-- an administrator or a reset link unlocks it. A completed sign-in resets the count.
alter table staff_user add column failed_login_count integer not null default 0;
alter table staff_user add column locked_at timestamptz;

-- Sessions live in the database so that several app processes can share them. Only a SHA-256 hash of
-- the cookie value (256 random bits) is stored. `stage` is 'password' while the second factor is
-- still due (such a session grants nothing but the second-factor pages), 'full' afterwards.
create table staff_session (
  id_hash text primary key,
  user_id uuid not null references staff_user (id) on delete cascade,
  stage text not null check (stage in ('password', 'full')),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index staff_session_user_idx on staff_session (user_id);

-- The TOTP secret, encrypted under its own data key (envelope encryption, AAD bound to the user).
-- `last_used_step` is the replay guard: a code is accepted only for a later time step than the last.
-- `enabled_at` is null while enrolment waits for the first correct code.
create table staff_totp (
  user_id uuid primary key references staff_user (id) on delete cascade,
  data_key_id uuid not null references data_key (id),
  secret bytea not null,
  last_used_step bigint,
  enabled_at timestamptz,
  created_at timestamptz not null default now()
);

-- One-time recovery codes, shown once at enrolment; only a keyed hash (HMAC-SHA-256) is stored.
create table staff_recovery_code (
  id uuid primary key,
  user_id uuid not null references staff_user (id) on delete cascade,
  code_hash text not null,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
create unique index staff_recovery_code_hash_idx on staff_recovery_code (user_id, code_hash);
