import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, MessageDirection } from '../../db/schema.ts';
import { loadDataKey, type KeyRing } from '../../crypto/envelope.ts';
import { listAttachments, storeAttachments } from '../attachments/store.ts';
import type { ProcessedFile } from '../attachments/process.ts';

/** A reporter's mailbox session ends after this much inactivity, and always after the maximum. */
export const MAILBOX_IDLE_MS = 20 * 60 * 1000;
export const MAILBOX_MAX_MS = 2 * 60 * 60 * 1000;

const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

/** Opens a session after a successful receipt login; only a hash of the cookie value is stored. */
export async function openMailboxSession(db: Database, reportId: string): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await db
    .insertInto('mailbox_session')
    .values({ id_hash: hashSessionId(id), report_id: reportId })
    .execute();
  return id;
}

/** The report of a live session, refreshing its idle timer; expired sessions are removed. */
export async function resumeMailboxSession(
  db: Database,
  sessionId: string | undefined,
): Promise<string | undefined> {
  if (!sessionId || sessionId.length > 100) return undefined;
  const idHash = hashSessionId(sessionId);
  const now = Date.now();
  const row = await db
    .updateTable('mailbox_session')
    .set({ last_seen_at: new Date(now) })
    .where('id_hash', '=', idHash)
    .where('last_seen_at', '>', new Date(now - MAILBOX_IDLE_MS))
    .where('created_at', '>', new Date(now - MAILBOX_MAX_MS))
    .returning('report_id')
    .executeTakeFirst();
  if (!row) await closeMailboxSession(db, sessionId);
  return row?.report_id;
}

export async function closeMailboxSession(db: Database, sessionId: string | undefined): Promise<void> {
  if (!sessionId || sessionId.length > 100) return;
  await db.deleteFrom('mailbox_session').where('id_hash', '=', hashSessionId(sessionId)).execute();
}

export async function removeExpiredMailboxSessions(db: Database, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('mailbox_session')
    .where((eb) =>
      eb.or([
        eb('last_seen_at', '<=', new Date(now - MAILBOX_IDLE_MS)),
        eb('created_at', '<=', new Date(now - MAILBOX_MAX_MS)),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface ThreadMessage {
  id: string;
  direction: MessageDirection;
  body: string;
  createdAt: Date;
  attachmentCount: number;
}

export interface Mailbox {
  receivedAt: Date;
  narrative: string;
  initialAttachmentCount: number;
  messages: ThreadMessage[];
  unreadFromCentre: number;
}

/** What the reporter sees: their report and the thread. Messages from the centre are marked read. */
export async function readMailbox(db: Database, reportId: string): Promise<Mailbox> {
  const report = await db
    .selectFrom('report')
    .select(['received_at', 'narrative'])
    .where('id', '=', reportId)
    .executeTakeFirstOrThrow();
  const messages = await db
    .selectFrom('report_message')
    .select(['id', 'direction', 'body', 'created_at', 'read_by_reporter_at'])
    .where('report_id', '=', reportId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const attachments = await listAttachments(db, reportId);
  const countFor = (messageId: string | null) => attachments.filter((a) => a.messageId === messageId).length;
  const unread = messages.filter((m) => m.direction === 'from_centre' && !m.read_by_reporter_at);
  if (unread.length > 0) {
    await db
      .updateTable('report_message')
      .set({ read_by_reporter_at: new Date() })
      .where(
        'id',
        'in',
        unread.map((m) => m.id),
      )
      .execute();
  }
  return {
    receivedAt: report.received_at,
    narrative: report.narrative,
    initialAttachmentCount: countFor(null),
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      body: m.body,
      createdAt: m.created_at,
      attachmentCount: countFor(m.id),
    })),
    unreadFromCentre: unread.length,
  };
}

/** Work that must commit or fail together with a stored message, such as its audit row. */
export type WithinMessageTransaction = (trx: Transaction<DB>, messageId: string) => Promise<unknown>;

async function addMessage(
  db: Database,
  keyRing: KeyRing,
  message: {
    reportId: string;
    direction: MessageDirection;
    body: string;
    authorUserId: string | null;
    files: ProcessedFile[];
    alsoInTransaction?: WithinMessageTransaction | undefined;
  },
): Promise<string> {
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    const report = await trx
      .selectFrom('report')
      .select('data_key_id')
      .where('id', '=', message.reportId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('report_message')
      .values({
        id,
        report_id: message.reportId,
        direction: message.direction,
        body: message.body,
        author_user_id: message.authorUserId,
      })
      .execute();
    if (message.files.length > 0) {
      const dataKey = await loadDataKey(trx, keyRing, report.data_key_id);
      await storeAttachments(trx, dataKey, message.reportId, id, message.files);
    }
    await trx
      .updateTable('report')
      .set({ last_activity_at: sql<Date>`now()` })
      .where('id', '=', message.reportId)
      .execute();
    await message.alsoInTransaction?.(trx, id);
  });
  return id;
}

/** A message from the reporter, through their receipt mailbox. */
export function addReporterMessage(
  db: Database,
  keyRing: KeyRing,
  input: { reportId: string; body: string; files: ProcessedFile[] },
): Promise<string> {
  return addMessage(db, keyRing, { ...input, direction: 'from_reporter', authorUserId: null });
}

/**
 * A reply from the centre to the reporter's mailbox. The staff back office calls this; notifying a
 * reporter who chose e-mail (without content) is the back office's job.
 */
export function sendCentreReply(
  db: Database,
  keyRing: KeyRing,
  input: {
    reportId: string;
    body: string;
    authorUserId: string | null;
    files?: ProcessedFile[];
    alsoInTransaction?: WithinMessageTransaction;
  },
): Promise<string> {
  return addMessage(db, keyRing, {
    reportId: input.reportId,
    body: input.body,
    authorUserId: input.authorUserId,
    files: input.files ?? [],
    direction: 'from_centre',
    alsoInTransaction: input.alsoInTransaction,
  });
}
