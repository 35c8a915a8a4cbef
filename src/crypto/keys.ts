import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Purposes for which a sub-key is derived from the root secret; one key never serves two purposes. */
export type KeyPurpose =
  | 'receipt-lookup'
  | 'receipt-derivation'
  | 'submission-key'
  | 'intake-challenge'
  | 'csrf'
  | 'session-id'
  | 'staff-recovery-code'
  | 'staff-token'
  | 'mail-recipient';

const derivedKeys = new WeakMap<Buffer, Map<KeyPurpose, Buffer>>();

/** HKDF is deterministic, so each sub-key is derived once per root key and then reused. */
export function deriveKey(rootKey: Buffer, purpose: KeyPurpose): Buffer {
  let keys = derivedKeys.get(rootKey);
  if (!keys) {
    keys = new Map();
    derivedKeys.set(rootKey, keys);
  }
  let key = keys.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), `baken:${purpose}`, 32));
    keys.set(purpose, key);
  }
  return key;
}

export function keyedHash(key: Buffer, value: string | Buffer): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
