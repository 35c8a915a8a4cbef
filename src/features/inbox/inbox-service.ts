import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Audience, DB, MessageDirection, ReplyChannel } from '../../db/schema.ts';
import { loadDataKey, openText, type KeyRing } from '../../crypto/envelope.ts';
import { listAttachments } from '../attachments/store.ts';
import { recordAudit, type AuditActor } from '../audit/audit-service.ts';
import { reportAad } from '../intake/intake-service.ts';
import { sendCentreReply, type WithinMessageTransaction } from '../intake/mailbox-service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { AppDeps } from '../../app.ts';
import { audiences, publicExploitationForms } from '../intake/report-form.ts';
import { isUuid } from '../../db/ids.ts';

/**
 * The back office's inbox of reports from the public portal. The list shows facts only (codes, dates,
 * counts); the narrative and contact data are read on the report's own page, and every such read is
 * in the audit log, in the same transaction as the read.
 */

export const INBOX_PAGE_SIZE = 25;
/** The centre acknowledges a report within this many days of receiving it. */
export const ACKNOWLEDGE_WITHIN_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
export const REPLY_MAX_CHARS = 10_000;

/** The audit entity of a report. */
export const REPORT_ENTITY = 'report';

export type ExploitationForm = (typeof publicExploitationForms)[number];

export interface InboxFilters {
  audience?: Audience | undefined;
  form?: ExploitationForm | undefined;
  /** A CBS code of the region, 'outside' or 'unknown'. */
  municipality?: string | undefined;
  /** Reports with acute danger before the others (each group newest first). */
  dangerFirst: boolean;
}

/**
 * Where the next page starts: the last row of this one. `receivedAtMicros` is exact (PostgreSQL keeps
 * microseconds, a JavaScript Date only milliseconds), so rows in the same millisecond are not skipped.
 */
export interface InboxCursor {
  acuteDanger: boolean;
  receivedAtMicros: number;
  id: string;
}

const CURSOR_PATTERN = /^([01])_(\d{1,16})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function formatCursor(cursor: InboxCursor): string {
  return `${cursor.acuteDanger ? 1 : 0}_${cursor.receivedAtMicros}_${cursor.id}`;
}

export function parseCursor(value: unknown): InboxCursor | undefined {
  if (typeof value !== 'string') return undefined;
  const match = CURSOR_PATTERN.exec(value);
  if (!match) return undefined;
  const micros = Number(match[2]);
  if (!Number.isSafeInteger(micros)) return undefined;
  return { acuteDanger: match[1] === '1', receivedAtMicros: micros, id: match[3] ?? '' };
}

export interface InboxRow {
  id: string;
  receivedAt: Date;
  audience: Audience;
  exploitationForms: string[];
  municipality: string;
  acuteDanger: boolean;
  unreadFromReporter: number;
  /** Received plus seven days. */
  acknowledgeBy: Date;
  /** When the centre first replied; null while it has not. */
  firstReplyAt: Date | null;
  /** Past the acknowledgement deadline without any reply from the centre. */
  overdue: boolean;
}

export interface InboxPage {
  rows: InboxRow[];
  /** Present when there are more rows after these. */
  next?: InboxCursor;
}

export function isAudience(value: unknown): value is Audience {
  return typeof value === 'string' && (audiences as readonly string[]).includes(value);
}

export function isExploitationForm(value: unknown): value is ExploitationForm {
  return typeof value === 'string' && (publicExploitationForms as readonly string[]).includes(value);
}

/** An instant as micro­seconds since the epoch, in SQL; exact for the cursor's integers. */
const fromMicros = (micros: number) =>
  sql<Date>`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`;

/** One page of the inbox, newest first (acute danger first when asked), after `cursor`. */
export async function listInbox(
  db: Database,
  filters: InboxFilters,
  cursor?: InboxCursor,
  now = new Date(),
): Promise<InboxPage> {
  let query = db.selectFrom('report').select([
    'report.id',
    'report.received_at',
    'report.audience',
    'report.exploitation_forms',
    'report.municipality',
    'report.acute_danger',
    sql<number>`(extract(epoch from report.received_at) * 1000000)::bigint`.as('received_micros'),
    sql<number>`(select count(*) from report_message m
        where m.report_id = report.id and m.direction = 'from_reporter' and m.read_by_staff_at is null)::int`.as(
      'unread',
    ),
    sql<Date | null>`(select min(m.created_at) from report_message m
        where m.report_id = report.id and m.direction = 'from_centre')`.as('first_reply_at'),
  ]);
  if (filters.audience) query = query.where('report.audience', '=', filters.audience);
  if (filters.form) query = query.where(sql<boolean>`${filters.form} = any(report.exploitation_forms)`);
  if (filters.municipality) query = query.where('report.municipality', '=', filters.municipality);
  if (cursor) {
    const at = fromMicros(cursor.receivedAtMicros);
    query = filters.dangerFirst
      ? query.where(
          sql<boolean>`(report.acute_danger, report.received_at, report.id) < (${cursor.acuteDanger}::boolean, ${at}, ${cursor.id}::uuid)`,
        )
      : query.where(sql<boolean>`(report.received_at, report.id) < (${at}, ${cursor.id}::uuid)`);
  }
  if (filters.dangerFirst) query = query.orderBy('report.acute_danger', 'desc');
  const rows = await query
    .orderBy('report.received_at', 'desc')
    .orderBy('report.id', 'desc')
    .limit(INBOX_PAGE_SIZE + 1)
    .execute();

  const page = rows.slice(0, INBOX_PAGE_SIZE).map((row): InboxRow => {
    const acknowledgeBy = new Date(row.received_at.getTime() + ACKNOWLEDGE_WITHIN_DAYS * DAY_MS);
    const firstReplyAt = row.first_reply_at === null ? null : new Date(row.first_reply_at);
    return {
      id: row.id,
      receivedAt: row.received_at,
      audience: row.audience,
      exploitationForms: row.exploitation_forms,
      municipality: row.municipality,
      acuteDanger: row.acute_danger,
      unreadFromReporter: row.unread,
      acknowledgeBy,
      firstReplyAt,
      overdue: firstReplyAt === null && now.getTime() > acknowledgeBy.getTime(),
    };
  });
  const last = rows[INBOX_PAGE_SIZE - 1];
  if (rows.length <= INBOX_PAGE_SIZE || !last) return { rows: page };
  return {
    rows: page,
    next: { acuteDanger: last.acute_danger, receivedAtMicros: last.received_micros, id: last.id },
  };
}

export interface StaffMessage {
  id: string;
  direction: MessageDirection;
  body: string;
  createdAt: Date;
  /** The staff member who wrote a reply from the centre, when known. */
  authorName: string | null;
  /** Unread by staff until this view. */
  wasUnread: boolean;
  attachments: AttachmentFacts[];
}

/** What staff see of a file on the report page: no name (names often identify people), no content. */
export interface AttachmentFacts {
  mediaType: string;
  sizeBytes: number;
}

export interface StaffReport {
  id: string;
  receivedAt: Date;
  language: 'nl' | 'en';
  audience: Audience;
  professionalOrgType: string | null;
  exploitationForms: string[];
  municipality: string;
  acuteDanger: boolean;
  narrative: string;
  replyChannel: ReplyChannel;
  contact: {
    name: string | null;
    email: string | null;
    phone: string | null;
    safeContactHints: string | null;
    mayLeaveMessage: boolean | null;
  };
  consentVersion: string;
  status: 'new' | 'in_progress' | 'closed';
  acknowledgeBy: Date;
  attachments: AttachmentFacts[];
  messages: StaffMessage[];
}

/** Who reads or answers, and the request it happens in, for the audit log. */
export interface StaffAccess {
  actor: AuditActor;
  requestId: string;
}

/**
 * A report with its contact data decrypted and its thread, for staff. In one transaction: the read,
 * marking the reporter's messages read by staff, and the 'report.read' audit event. Undefined (and
 * nothing recorded) when there is no such report.
 */
export async function openReport(
  db: Database,
  keyRing: KeyRing,
  reportId: string,
  access: StaffAccess,
): Promise<StaffReport | undefined> {
  if (!isUuid(reportId)) return undefined;
  return db.transaction().execute(async (trx) => {
    const report = await readReport(trx, keyRing, reportId);
    if (!report) return undefined;
    await recordAudit(trx, {
      actor: access.actor,
      action: 'report.read',
      entity: { type: REPORT_ENTITY, id: reportId },
      requestId: access.requestId,
    });
    return report;
  });
}

async function readReport(
  trx: Transaction<DB>,
  keyRing: KeyRing,
  reportId: string,
): Promise<StaffReport | undefined> {
  const row = await trx.selectFrom('report').selectAll().where('id', '=', reportId).executeTakeFirst();
  if (!row) return undefined;
  const dataKey = await loadDataKey(trx, keyRing, row.data_key_id);
  const open = (column: 'contact_name' | 'contact_email' | 'contact_phone' | 'safe_contact_hints') =>
    openText(dataKey, row[column], reportAad(reportId, column));

  const messages = await trx
    .selectFrom('report_message')
    .leftJoin('staff_user', 'staff_user.id', 'report_message.author_user_id')
    .select([
      'report_message.id',
      'report_message.direction',
      'report_message.body',
      'report_message.created_at',
      'report_message.read_by_staff_at',
      'staff_user.display_name',
    ])
    .where('report_message.report_id', '=', reportId)
    .orderBy('report_message.created_at')
    .orderBy('report_message.id')
    .execute();
  const unread = messages.filter((m) => m.direction === 'from_reporter' && m.read_by_staff_at === null);
  if (unread.length > 0) {
    await trx
      .updateTable('report_message')
      .set({ read_by_staff_at: new Date() })
      .where(
        'id',
        'in',
        unread.map((m) => m.id),
      )
      .execute();
  }
  const files = await listAttachments(trx, reportId);
  const filesOf = (messageId: string | null): AttachmentFacts[] =>
    files
      .filter((f) => f.messageId === messageId)
      .map((f) => ({ mediaType: f.mediaType, sizeBytes: f.sizeBytes }));

  return {
    id: row.id,
    receivedAt: row.received_at,
    language: row.language,
    audience: row.audience,
    professionalOrgType: row.professional_org_type,
    exploitationForms: row.exploitation_forms,
    municipality: row.municipality,
    acuteDanger: row.acute_danger,
    narrative: row.narrative,
    replyChannel: row.reply_channel,
    contact: {
      name: open('contact_name'),
      email: open('contact_email'),
      phone: open('contact_phone'),
      safeContactHints: open('safe_contact_hints'),
      mayLeaveMessage: row.may_leave_message,
    },
    consentVersion: row.consent_version,
    status: row.status,
    acknowledgeBy: new Date(row.received_at.getTime() + ACKNOWLEDGE_WITHIN_DAYS * DAY_MS),
    attachments: filesOf(null),
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      body: m.body,
      createdAt: m.created_at,
      authorName: m.direction === 'from_centre' ? m.display_name : null,
      wasUnread: unread.some((u) => u.id === m.id),
      attachments: filesOf(m.id),
    })),
  };
}

export async function reportExists(db: Database, reportId: string): Promise<boolean> {
  if (!isUuid(reportId)) return false;
  const row = await db.selectFrom('report').select('id').where('id', '=', reportId).executeTakeFirst();
  return row !== undefined;
}

/** What a reply needs besides the database: keys, the portal's address and the mail's wording. */
export type ReplyDeps = Pick<AppDeps, 'config' | 'translators'>;

/**
 * A reply from the centre into the reporter's mailbox, with its 'report.reply' audit event. A reporter
 * who chose e-mail also gets a notification, queued in the same transaction, that says only that
 * there is news and where to read it: never the reply, nor anything else about the report. Every
 * reply goes through here (the inbox and the case page), with `alsoInTransaction` for the caller's
 * own records.
 */
export async function replyToReport(
  db: Database,
  deps: ReplyDeps,
  input: { reportId: string; body: string; authorUserId: string },
  access: StaffAccess,
  alsoInTransaction?: WithinMessageTransaction,
): Promise<string> {
  // The audit row and the notification commit with the reply, or none of them does.
  return sendCentreReply(db, deps.config.secrets.encryptionKeys, {
    ...input,
    alsoInTransaction: async (trx, messageId) => {
      await alsoInTransaction?.(trx, messageId);
      await queueReporterNews(trx, deps, input.reportId);
      await recordAudit(trx, {
        actor: access.actor,
        action: 'report.reply',
        entity: { type: REPORT_ENTITY, id: input.reportId },
        requestId: access.requestId,
        details: { message: messageId },
      });
    },
  });
}

/** The content-free "there is news" mail, for a reporter who asked for replies by e-mail. */
async function queueReporterNews(trx: Transaction<DB>, deps: ReplyDeps, reportId: string): Promise<void> {
  const { config, translators } = deps;
  const report = await trx
    .selectFrom('report')
    .select(['reply_channel', 'contact_email', 'data_key_id', 'language'])
    .where('id', '=', reportId)
    .executeTakeFirstOrThrow();
  if (report.reply_channel !== 'email' || !report.contact_email) return;
  const dataKey = await loadDataKey(trx, config.secrets.encryptionKeys, report.data_key_id);
  const address = openText(dataKey, report.contact_email, reportAad(reportId, 'contact_email'));
  if (!address) return;
  const { t } = translators[report.language];
  await enqueueMail(trx, config.secrets.secretKey, {
    kind: 'reporter_news',
    to: address,
    subject: t('inbox.news_mail.subject'),
    body: t('inbox.news_mail.body', { url: `${config.publicUrl}/mijn-melding` }),
  });
}
