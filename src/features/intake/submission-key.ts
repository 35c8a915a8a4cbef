import { randomUUID } from 'node:crypto';
import { constantTimeEqual, deriveKey, keyedHash } from '../../crypto/keys.ts';

/**
 * Each rendered report form carries a fresh submission key: a random UUID plus a signature, so the
 * server can recognise a double submission (one report, not two) and reject made-up keys.
 */
export function issueSubmissionKey(secretKey: Buffer): string {
  const id = randomUUID();
  return `${id}.${signature(secretKey, id)}`;
}

/** The UUID inside a well-formed, correctly signed key; undefined otherwise. */
export function openSubmissionKey(secretKey: Buffer, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 100) return undefined;
  const [id, sig, ...rest] = value.split('.');
  if (!id || !sig || rest.length > 0 || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return constantTimeEqual(sig, signature(secretKey, id)) ? id : undefined;
}

/** What the database keeps to recognise a submission: a keyed hash, never the key itself. */
export function submissionKeyHash(secretKey: Buffer, id: string): string {
  return keyedHash(deriveKey(secretKey, 'submission-key'), `stored:${id}`);
}

function signature(secretKey: Buffer, id: string): string {
  return keyedHash(deriveKey(secretKey, 'submission-key'), `signed:${id}`).slice(0, 32);
}
