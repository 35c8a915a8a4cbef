import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { decrypt, encrypt, loadDataKey, type DataKey, type KeyRing } from '../../crypto/envelope.ts';
import type { Database } from '../../db/database.ts';
import type { ProcessedFile } from './process.ts';
import { isUuid } from '../../db/ids.ts';

/**
 * Attachments are stored encrypted under their report's data key: the name (names often identify
 * people), the hash of the original and both file versions. A readable hash would let anyone holding
 * a copy of the file check that it was uploaded, also after the data key is destroyed. Type, size and
 * time stay readable for listing.
 */
type SealedColumn = 'file_name' | 'sha256' | 'original' | 'clean';

/** Binds each ciphertext to its row and column, so values cannot be swapped between them. */
function aad(attachmentId: string, column: SealedColumn): string {
  return `attachment:${attachmentId}:${column}`;
}

export interface AttachmentSummary {
  id: string;
  messageId: string | null;
  mediaType: string;
  sizeBytes: number;
  createdAt: Date;
}

export interface AttachmentContent {
  fileName: string;
  mediaType: string;
  /** Hex SHA-256 of the original upload, whichever version `data` is. */
  sha256: string;
  data: Buffer;
}

/**
 * Stores files for a report (and optionally one of its messages); returns their ids in the order
 * given. Runs in the caller's transaction, or in its own so that a failure stores none of them.
 */
export async function storeAttachments(
  db: Database,
  dataKey: DataKey,
  reportId: string,
  messageId: string | null,
  files: ProcessedFile[],
): Promise<string[]> {
  if (!db.isTransaction) {
    return db.transaction().execute((trx) => storeAttachments(trx, dataKey, reportId, messageId, files));
  }
  await assertBelongsToReport(db, dataKey, reportId, messageId);
  const ids: string[] = [];
  // One row per statement: each can hold tens of megabytes.
  for (const file of files) {
    const id = randomUUID();
    await db
      .insertInto('attachment')
      .values({
        id,
        report_id: reportId,
        message_id: messageId,
        file_name: encrypt(dataKey.key, file.fileName, aad(id, 'file_name')),
        media_type: file.mediaType,
        size_bytes: file.sizeBytes,
        sha256: encrypt(dataKey.key, file.sha256, aad(id, 'sha256')),
        original: encrypt(dataKey.key, file.original, aad(id, 'original')),
        clean_media_type: file.cleanMediaType,
        clean: encrypt(dataKey.key, file.clean, aad(id, 'clean')),
        // now() is the same for a whole transaction; this keeps the upload order for listing.
        created_at: sql<Date>`clock_timestamp()`,
      })
      .execute();
    ids.push(id);
  }
  return ids;
}

/** Files under another report's key would be unreadable, and another report's message would leak them. */
async function assertBelongsToReport(
  db: Database,
  dataKey: DataKey,
  reportId: string,
  messageId: string | null,
): Promise<void> {
  const report = await db
    .selectFrom('report')
    .select('data_key_id')
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!report) throw new Error('Report not found');
  if (report.data_key_id !== dataKey.id) throw new Error('Data key does not belong to the report');
  if (messageId === null) return;
  const message = await db
    .selectFrom('report_message')
    .select('report_id')
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (message?.report_id !== reportId) throw new Error('Message does not belong to the report');
}

/** Metadata only: no decryption, no file contents. */
export async function listAttachments(db: Database, reportId: string): Promise<AttachmentSummary[]> {
  if (!isUuid(reportId)) return [];
  const rows = await db
    .selectFrom('attachment')
    .select(['id', 'message_id', 'media_type', 'size_bytes', 'created_at'])
    .where('report_id', '=', reportId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    messageId: row.message_id,
    mediaType: row.media_type,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
  }));
}

/**
 * Decrypts one version of an attachment; undefined when it does not exist (or, with `scope`, belongs
 * to another report — pass the report the caller is entitled to). Throws when the data key is gone
 * (shredded) or the key ring cannot unwrap it.
 */
export async function readAttachment(
  db: Database,
  keyRing: KeyRing,
  attachmentId: string,
  variant: 'clean' | 'original',
  scope?: { reportId: string },
): Promise<AttachmentContent | undefined> {
  if (!isUuid(attachmentId)) return undefined;
  if (scope && !isUuid(scope.reportId)) return undefined;
  let query = db
    .selectFrom('attachment')
    .innerJoin('report', 'report.id', 'attachment.report_id')
    .select((eb) => [
      'report.data_key_id',
      'attachment.file_name',
      'attachment.sha256',
      // Only the requested version: each can be megabytes.
      eb.ref(variant === 'clean' ? 'attachment.clean' : 'attachment.original').as('data'),
      eb.ref(variant === 'clean' ? 'attachment.clean_media_type' : 'attachment.media_type').as('media_type'),
    ])
    .where('attachment.id', '=', attachmentId);
  if (scope) query = query.where('attachment.report_id', '=', scope.reportId);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;

  const { key } = await loadDataKey(db, keyRing, row.data_key_id);
  return {
    fileName: decrypt(key, row.file_name, aad(attachmentId, 'file_name')).toString('utf8'),
    mediaType: row.media_type,
    sha256: decrypt(key, row.sha256, aad(attachmentId, 'sha256')).toString('utf8'),
    data: decrypt(key, row.data, aad(attachmentId, variant)),
  };
}
