-- Staff accounts. The back office (roles, second factors, sessions) extends this table.

create table staff_user (
  id uuid primary key,
  email text not null,
  display_name text not null,
  role text not null check (role in ('admin', 'coordinator', 'advisor')),
  password_hash text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
create unique index staff_user_email_idx on staff_user (lower(email));

-- One-time link for creating the first administrator; only a hash of the token is stored.
create table setup_token (
  token_hash text primary key,
  expires_at timestamptz not null
);
