import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { constantTimeEqual, deriveKey, keyedHash } from '../../crypto/keys.ts';

/**
 * One-time links sent by e-mail: an invitation (7 days) or a reset link (1 hour). The token is 256
 * random bits and appears only in the link; the database keeps an HMAC of it under a key of its own,
 * so a copy of the database holds no usable link. A used, expired or unknown token is simply not live.
 */
export type StaffTokenPurpose = 'invite' | 'reset';

export const TOKEN_VALIDITY_MS: Record<StaffTokenPurpose, number> = {
  invite: 7 * 24 * 60 * 60 * 1000,
  reset: 60 * 60 * 1000,
};

/** 32 random bytes in base64url. Anything else is not worth a database query. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const isPlausibleToken = (token: string) => TOKEN_PATTERN.test(token);

export function hashStaffToken(rootKey: Buffer, token: string): string {
  return keyedHash(deriveKey(rootKey, 'staff-token'), token);
}

/** Issues a new token; earlier unused tokens of the same purpose for the user stop working. */
export async function issueStaffToken(
  trx: Transaction<DB>,
  rootKey: Buffer,
  grant: { userId: string; purpose: StaffTokenPurpose; createdBy: string },
  now = new Date(),
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await trx
    .updateTable('staff_token')
    .set({ used_at: now })
    .where('user_id', '=', grant.userId)
    .where('purpose', '=', grant.purpose)
    .where('used_at', 'is', null)
    .execute();
  await trx
    .insertInto('staff_token')
    .values({
      token_hash: hashStaffToken(rootKey, token),
      user_id: grant.userId,
      purpose: grant.purpose,
      created_by: grant.createdBy,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_VALIDITY_MS[grant.purpose]),
    })
    .execute();
  return token;
}

/** The user a live token of this purpose belongs to (for showing the form); undefined otherwise. */
export async function liveTokenUser(
  db: Database | Transaction<DB>,
  rootKey: Buffer,
  token: string,
  purpose: StaffTokenPurpose,
  now = new Date(),
): Promise<string | undefined> {
  if (!isPlausibleToken(token)) return undefined;
  const hash = hashStaffToken(rootKey, token);
  const row = await db
    .selectFrom('staff_token')
    .innerJoin('staff_user', 'staff_user.id', 'staff_token.user_id')
    .select(['staff_token.token_hash', 'staff_token.user_id'])
    .where('staff_token.token_hash', '=', hash)
    .where('staff_token.purpose', '=', purpose)
    .where('staff_token.used_at', 'is', null)
    .where('staff_token.expires_at', '>', now)
    .where('staff_user.disabled_at', 'is', null)
    .executeTakeFirst();
  // The index found the row by its hash; the comparison itself still takes the same time throughout.
  return row && constantTimeEqual(row.token_hash, hash) ? row.user_id : undefined;
}

/** Marks a live token used, inside the caller's transaction; the user id, or undefined if not live. */
export async function consumeStaffToken(
  trx: Transaction<DB>,
  rootKey: Buffer,
  token: string,
  purpose: StaffTokenPurpose,
  now = new Date(),
): Promise<string | undefined> {
  const userId = await liveTokenUser(trx, rootKey, token, purpose, now);
  if (!userId) return undefined;
  const used = await trx
    .updateTable('staff_token')
    .set({ used_at: now })
    .where('token_hash', '=', hashStaffToken(rootKey, token))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return used.numUpdatedRows === 1n ? userId : undefined;
}
