import { createHmac, randomUUID } from 'node:crypto';
import { constantTimeEqual, deriveKey, keyedHash } from '../../crypto/keys.ts';
import { decoyVerifierHash, hashSecret, verifySecret } from '../../crypto/passwords.ts';
import type { Database } from '../../db/database.ts';

/**
 * Receipt codes: 16 digits that let an anonymous reporter come back. The server never stores a code:
 * it finds the report by a keyed hash of the code and checks an argon2id verifier, so a stolen
 * database alone neither reveals codes nor lets anyone test guesses cheaply.
 *
 * The code is derived from the form's submission key (a random UUID only the reporter's browser has)
 * with a server secret, so a double-submitted form still shows the same code, and the server needs
 * nothing stored to show it once.
 */
export const RECEIPT_DIGITS = 16;

export function deriveReceiptCode(secretKey: Buffer, submissionKey: string): string {
  const digest = createHmac('sha256', deriveKey(secretKey, 'receipt-derivation'))
    .update(submissionKey)
    .digest();
  // 128 bits reduced mod 10^16: the bias is far below anything measurable.
  const value = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`) % 10n ** BigInt(RECEIPT_DIGITS);
  return value.toString().padStart(RECEIPT_DIGITS, '0');
}

/** Accepts what people type: spaces, dashes and dots between groups are ignored. */
export function normaliseReceiptCode(input: string): string | undefined {
  const digits = input.replace(/[\s.\-–]/g, '');
  return /^\d{16}$/.test(digits) ? digits : undefined;
}

/** `1234 5678 9012 3456`: four groups are easier to copy correctly. */
export function formatReceiptCode(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export function receiptLookupKey(secretKey: Buffer, code: string): string {
  return keyedHash(deriveKey(secretKey, 'receipt-lookup'), code);
}

export async function receiptRow(secretKey: Buffer, reportId: string, code: string) {
  return {
    report_id: reportId,
    lookup_key: receiptLookupKey(secretKey, code),
    verifier: await hashSecret(code),
  };
}

/**
 * The report a code belongs to, or undefined. Both outcomes run one argon2 verification, so the time
 * taken does not tell whether a code exists.
 */
export async function findReportByReceipt(
  db: Database,
  secretKey: Buffer,
  input: string,
): Promise<string | undefined> {
  const code = normaliseReceiptCode(input) ?? '';
  const lookupKey = receiptLookupKey(secretKey, code || randomUUID());
  const row = await db
    .selectFrom('receipt')
    .select(['report_id', 'lookup_key', 'verifier'])
    .where('lookup_key', '=', lookupKey)
    .executeTakeFirst();
  if (!row || !code) {
    await verifySecret(await decoyVerifierHash(), code);
    return undefined;
  }
  const valid = (await verifySecret(row.verifier, code)) && constantTimeEqual(row.lookup_key, lookupKey);
  return valid ? row.report_id : undefined;
}
