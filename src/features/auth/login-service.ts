import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { decoyVerifierHash, verifySecret } from '../../crypto/passwords.ts';

/** After this many failed attempts in a row (password or second factor) the account is locked. */
export const MAX_FAILED_LOGINS = 10;
/** Longer input is never a password we stored (setup allows 256 characters); not worth hashing. */
export const MAX_PASSWORD_CHARS = 256;

/** `lockedNow` names the account this very failure locked (for the audit log, never for the page). */
export type PasswordCheck = { status: 'ok'; userId: string } | { status: 'failed'; lockedNow?: string };

/**
 * Checks an e-mail address and password. Unknown address, wrong password, locked or disabled account:
 * all give the same answer after the same work (one argon2id verification, against a decoy hash when
 * there is no account, and the same failure update, which matches no row for an unknown address).
 */
export async function checkPassword(db: Database, email: string, password: string): Promise<PasswordCheck> {
  const user = await db
    .selectFrom('staff_user')
    .select(['id', 'password_hash', 'locked_at', 'disabled_at'])
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  const hash = user?.password_hash ?? (await decoyVerifierHash());
  const matches = password.length <= MAX_PASSWORD_CHARS && (await verifySecret(hash, password));
  if (user && matches && user.locked_at === null && user.disabled_at === null) {
    return { status: 'ok', userId: user.id };
  }
  const counted = await db
    .updateTable('staff_user')
    .set(failureUpdate)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .returning(['id', 'failed_login_count'])
    .executeTakeFirst();
  return counted?.failed_login_count === MAX_FAILED_LOGINS
    ? { status: 'failed', lockedNow: counted.id }
    : { status: 'failed' };
}

const failureUpdate = {
  failed_login_count: sql<number>`failed_login_count + 1`,
  locked_at: sql<Date | null>`case when failed_login_count + 1 >= ${MAX_FAILED_LOGINS}
    then coalesce(locked_at, now()) else locked_at end`,
};

/** Counts a failed second factor; true when the account is now locked. */
export async function recordFailedLogin(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .updateTable('staff_user')
    .set(failureUpdate)
    .where('id', '=', userId)
    .returning('locked_at')
    .executeTakeFirst();
  return row?.locked_at != null;
}

/** A completed sign-in ends the run of failures. */
export async function resetFailedLogins(db: Database, userId: string): Promise<void> {
  await db.updateTable('staff_user').set({ failed_login_count: 0 }).where('id', '=', userId).execute();
}

export async function isLocked(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('staff_user')
    .select('locked_at')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.locked_at != null;
}

/** For administrators (and later the reset link): unlocks and clears the count. */
export async function unlockAccount(db: Database, userId: string): Promise<void> {
  await db
    .updateTable('staff_user')
    .set({ failed_login_count: 0, locked_at: null })
    .where('id', '=', userId)
    .execute();
}
