-- A third session stage for roles that require a passkey: password and TOTP were accepted, but the
-- user has no passkey yet. Such a session grants nothing but registering a passkey (web/policy.ts,
-- access 'passkey_enrolment'); registering one turns it into a full session with a new id.
alter table staff_session drop constraint staff_session_stage_check;
alter table staff_session add constraint staff_session_stage_check
  check (stage in ('password', 'passkey_enrolment', 'full'));
