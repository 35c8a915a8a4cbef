import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Kysely table types; the SQL in `migrations/` is the source of truth. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface DataKeyTable {
  id: string;
  kek_id: string;
  wrapped_key: Buffer;
  created_at: CreatedAt;
}

export type Audience = 'self' | 'environment' | 'professional' | 'perpetrator' | 'other';
export type ReplyChannel = 'receipt' | 'email' | 'phone';

export interface ReportTable {
  id: string;
  received_at: CreatedAt;
  language: 'nl' | 'en';
  audience: Audience;
  professional_org_type: string | null;
  exploitation_forms: string[];
  municipality: string;
  acute_danger: boolean;
  narrative: string;
  reply_channel: ReplyChannel;
  data_key_id: string;
  contact_name: Buffer | null;
  contact_email: Buffer | null;
  contact_phone: Buffer | null;
  safe_contact_hints: Buffer | null;
  may_leave_message: boolean | null;
  consent_version: string;
  submission_key_hash: string;
  receipt_shown_at: Timestamp | null;
  last_activity_at: Timestamp;
  status: Generated<'new' | 'in_progress' | 'closed'>;
}

export interface ReceiptTable {
  report_id: string;
  lookup_key: string;
  verifier: string;
  created_at: CreatedAt;
}

export type MessageDirection = 'from_reporter' | 'from_centre';

export interface ReportMessageTable {
  id: string;
  report_id: string;
  direction: MessageDirection;
  body: string;
  author_user_id: string | null;
  created_at: CreatedAt;
  read_by_reporter_at: Timestamp | null;
  read_by_staff_at: Timestamp | null;
}

export interface AttachmentTable {
  id: string;
  report_id: string;
  message_id: string | null;
  file_name: Buffer;
  media_type: string;
  size_bytes: number;
  sha256: Buffer;
  original: Buffer;
  clean_media_type: string;
  clean: Buffer;
  created_at: CreatedAt;
}

export interface MailboxSessionTable {
  id_hash: string;
  report_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
}

export type StaffRole = 'admin' | 'coordinator' | 'advisor';

export interface StaffUserTable {
  id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  password_hash: string;
  created_at: CreatedAt;
  disabled_at: Timestamp | null;
  failed_login_count: Generated<number>;
  locked_at: Timestamp | null;
}

export interface StaffSessionTable {
  id_hash: string;
  user_id: string;
  stage: 'password' | 'full';
  created_at: CreatedAt;
  last_seen_at: Timestamp;
}

export interface StaffTotpTable {
  user_id: string;
  data_key_id: string;
  secret: Buffer;
  last_used_step: number | null;
  enabled_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface StaffRecoveryCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: CreatedAt;
  used_at: Timestamp | null;
}

export interface SetupTokenTable {
  token_hash: string;
  expires_at: Timestamp;
}

/** Append-only: a trigger refuses updates and deletes (see features/audit). */
export interface AuditEventTable {
  seq: number;
  id: string;
  at: Date;
  actor_user_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  reason: string | null;
  request_id: string | null;
  /** Inserted as JSON text, read back parsed. */
  details: ColumnType<Record<string, unknown> | null, string | null, never>;
  prev_hash: string;
  hash: string;
}

export interface SchemaMigrationTable {
  name: string;
  applied_at: CreatedAt;
}

export interface DB {
  data_key: DataKeyTable;
  report: ReportTable;
  receipt: ReceiptTable;
  report_message: ReportMessageTable;
  attachment: AttachmentTable;
  mailbox_session: MailboxSessionTable;
  staff_user: StaffUserTable;
  setup_token: SetupTokenTable;
  staff_session: StaffSessionTable;
  staff_totp: StaffTotpTable;
  staff_recovery_code: StaffRecoveryCodeTable;
  audit_event: AuditEventTable;
  schema_migration: SchemaMigrationTable;
}

export type Report = Selectable<ReportTable>;
export type NewReport = Insertable<ReportTable>;
export type ReportMessage = Selectable<ReportMessageTable>;
