import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { Secrets } from '../../config/config.ts';
import type { Locale } from '../../i18n/i18n.ts';
import { createDataKey, sealText } from '../../crypto/envelope.ts';
import { storeAttachments } from '../attachments/store.ts';
import type { ProcessedFile } from '../attachments/process.ts';
import type { ReportForm } from './report-form.ts';
import { deriveReceiptCode, receiptRow } from './receipt.ts';
import { submissionKeyHash } from './submission-key.ts';

export interface SubmittedReport {
  reportId: string;
  /** True when this submission key had already created the report (double submit). */
  duplicate: boolean;
}

/** AAD for an encrypted report column: binds the value to its row and column. */
export const reportAad = (reportId: string, column: string) => `report:${reportId}:${column}`;

/**
 * Stores a report with its receipt and attachments in one transaction, so a report that was
 * confirmed is complete. A second submission with the same key returns the first report.
 */
export async function submitReport(
  db: Database,
  secrets: Secrets,
  input: {
    form: ReportForm;
    submissionKey: string;
    language: Locale;
    consentVersion: string;
    files: ProcessedFile[];
  },
): Promise<SubmittedReport> {
  const keyHash = submissionKeyHash(secrets.secretKey, input.submissionKey);
  const existing = await findBySubmissionKey(db, keyHash);
  if (existing) return { reportId: existing, duplicate: true };

  const reportId = randomUUID();
  const receipt = await receiptRow(
    secrets.secretKey,
    reportId,
    deriveReceiptCode(secrets.secretKey, input.submissionKey),
  );
  try {
    await db.transaction().execute(async (trx) => {
      const dataKey = await createDataKey(trx, secrets.encryptionKeys);
      const { form } = input;
      await trx
        .insertInto('report')
        .values({
          id: reportId,
          language: input.language,
          audience: form.audience,
          professional_org_type: form.professional_org_type ?? null,
          exploitation_forms: form.exploitation_forms,
          municipality: form.municipality,
          acute_danger: form.acute_danger === 'yes',
          narrative: form.narrative,
          reply_channel: form.reply_channel,
          data_key_id: dataKey.id,
          contact_name: sealText(dataKey, form.contact_name, reportAad(reportId, 'contact_name')),
          contact_email: sealText(dataKey, form.contact_email, reportAad(reportId, 'contact_email')),
          contact_phone: sealText(dataKey, form.contact_phone, reportAad(reportId, 'contact_phone')),
          safe_contact_hints: sealText(
            dataKey,
            form.safe_contact_hints,
            reportAad(reportId, 'safe_contact_hints'),
          ),
          may_leave_message: form.may_leave_message === undefined ? null : form.may_leave_message === 'yes',
          consent_version: input.consentVersion,
          submission_key_hash: keyHash,
        })
        .execute();
      await trx.insertInto('receipt').values(receipt).execute();
      await storeAttachments(trx, dataKey, reportId, null, input.files);
    });
  } catch (error) {
    // A concurrent double submit lost the race on the unique submission key: same answer as above.
    const winner = await findBySubmissionKey(db, keyHash);
    if (winner) return { reportId: winner, duplicate: true };
    throw error;
  }
  return { reportId, duplicate: false };
}

async function findBySubmissionKey(db: Database, keyHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('report')
    .select('id')
    .where('submission_key_hash', '=', keyHash)
    .executeTakeFirst();
  return row?.id;
}

/**
 * The receipt code for the confirmation page, once: marks it shown in the same statement that checks
 * it was not shown before, so two tabs cannot both display it.
 */
export async function takeReceiptForDisplay(
  db: Database,
  secrets: Secrets,
  submissionKey: string,
): Promise<{ status: 'show'; code: string } | { status: 'already_shown' } | { status: 'unknown' }> {
  const keyHash = submissionKeyHash(secrets.secretKey, submissionKey);
  const claimed = await db
    .updateTable('report')
    .set({ receipt_shown_at: new Date() })
    .where('submission_key_hash', '=', keyHash)
    .where('receipt_shown_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (claimed) return { status: 'show', code: deriveReceiptCode(secrets.secretKey, submissionKey) };
  return (await findBySubmissionKey(db, keyHash)) ? { status: 'already_shown' } : { status: 'unknown' };
}
