import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Secrets } from '../config/config.ts';

/**
 * Envelope encryption. Each report (later each case) gets its own data key, stored wrapped by a
 * key-encryption key (KEK) from config, with the KEK's id beside it so KEKs can rotate. Deleting the
 * data-key row makes every value under it unreadable (crypto-shredding).
 *
 * Ciphertext layout: version (1 byte) | IV (12) | GCM tag (16) | ciphertext. The AAD binds a value to
 * where it belongs (table, column, row), so ciphertexts cannot be swapped between rows.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type KeyRing = Secrets['encryptionKeys'];

export interface DataKey {
  id: string;
  key: Buffer;
}

export function encrypt(key: Buffer, plaintext: Buffer | string, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
    throw new Error('Unknown ciphertext format');
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

function activeKek(ring: KeyRing): KeyRing[number] {
  const active = ring[0];
  if (!active) throw new Error('No encryption key configured');
  return active;
}

export async function createDataKey(db: Database, ring: KeyRing): Promise<DataKey> {
  const kek = activeKek(ring);
  const key = randomBytes(32);
  const id = randomUUID();
  const wrapped = encrypt(kek.key, key, `data_key:${id}`);
  await db.insertInto('data_key').values({ id, kek_id: kek.id, wrapped_key: wrapped }).execute();
  return { id, key };
}

export async function loadDataKey(db: Database, ring: KeyRing, id: string): Promise<DataKey> {
  const row = await db
    .selectFrom('data_key')
    .select(['kek_id', 'wrapped_key'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new Error('Data key not found (shredded?)');
  const kek = ring.find((k) => k.id === row.kek_id);
  if (!kek) throw new Error(`Key-encryption key "${row.kek_id}" is not configured`);
  return { id, key: decrypt(kek.key, row.wrapped_key, `data_key:${id}`) };
}

/** Re-wraps every data key under the active KEK, so an old KEK can be retired. Returns the count. */
export async function rewrapDataKeys(db: Database, ring: KeyRing): Promise<number> {
  const kek = activeKek(ring);
  const stale = await db.selectFrom('data_key').select('id').where('kek_id', '<>', kek.id).execute();
  for (const { id } of stale) {
    await db.transaction().execute(async (trx) => {
      const { key } = await loadDataKey(trx, ring, id);
      await trx
        .updateTable('data_key')
        .set({ kek_id: kek.id, wrapped_key: encrypt(kek.key, key, `data_key:${id}`) })
        .where('id', '=', id)
        .execute();
    });
  }
  return stale.length;
}

/** Helpers for nullable text fields stored encrypted in a column. */
export function sealText(dataKey: DataKey, value: string | null | undefined, aad: string): Buffer | null {
  return value ? encrypt(dataKey.key, value, aad) : null;
}

export function openText(dataKey: DataKey, sealed: Buffer | null, aad: string): string | null {
  return sealed ? decrypt(dataKey.key, sealed, aad).toString('utf8') : null;
}
