import { randomUUID } from 'node:crypto';
import { constantTimeEqual, deriveKey, keyedHash } from '../../crypto/keys.ts';

/**
 * Each rendered report form carries a fresh submission key: a random UUID, the time the form was
 * issued, and a signature over both. The server recognises a double submission (one report, not
 * two), rejects made-up keys, and can tell how long ago the form was handed out (a report sent
 * without the proof of work must wait a little; see proof-of-work.ts).
 */
export function issueSubmissionKey(secretKey: Buffer, issuedAt: number = Date.now()): string {
  const id = randomUUID();
  const time = Math.max(0, Math.floor(issuedAt)).toString(36);
  return `${id}.${time}.${signature(secretKey, id, time)}`;
}

/** The UUID inside a well-formed, correctly signed key; undefined otherwise. */
export function openSubmissionKey(secretKey: Buffer, value: unknown): string | undefined {
  return readSubmissionKey(secretKey, value)?.id;
}

/** The UUID and issue time (ms since the epoch) of a well-formed, correctly signed key. */
export function readSubmissionKey(
  secretKey: Buffer,
  value: unknown,
): { id: string; issuedAt: number } | undefined {
  if (typeof value !== 'string' || value.length > 120) return undefined;
  const [id, time, sig, ...rest] = value.split('.');
  if (!id || !time || !sig || rest.length > 0) return undefined;
  if (!/^[0-9a-f-]{36}$/.test(id) || !/^[0-9a-z]{1,12}$/.test(time)) return undefined;
  if (!constantTimeEqual(sig, signature(secretKey, id, time))) return undefined;
  return { id, issuedAt: parseInt(time, 36) };
}

/** What the database keeps to recognise a submission: a keyed hash, never the key itself. */
export function submissionKeyHash(secretKey: Buffer, id: string): string {
  return keyedHash(deriveKey(secretKey, 'submission-key'), `stored:${id}`);
}

function signature(secretKey: Buffer, id: string, time: string): string {
  return keyedHash(deriveKey(secretKey, 'submission-key'), `signed:${id}.${time}`).slice(0, 32);
}
