import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { SYSTEM_ACTOR, recordAudit } from '../audit/audit-service.ts';

/**
 * The first administrator is created through a one-time link printed on the console at start-up:
 * there is no default account or password anywhere. Only a SHA-256 hash of the link's token is
 * stored (the token is 256 random bits, so a plain hash suffices); each start without an
 * administrator replaces the previous link.
 */
export const SETUP_TOKEN_VALIDITY_MS = 24 * 60 * 60 * 1000;

/** Serialises start-up and setup across processes, so two links can never both create an admin. */
const SETUP_LOCK_ID = 7_316_202_611;

/** 32 random bytes in base64url: 43 characters. Anything else is not worth a database query. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashSetupToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

async function lockSetup(trx: Transaction<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${SETUP_LOCK_ID})`.execute(trx);
}

async function activeAdminExists(db: Database | Transaction<DB>): Promise<boolean> {
  const admin = await db
    .selectFrom('staff_user')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return admin !== undefined;
}

/**
 * Without an active administrator: replaces any earlier setup token with a new one and returns the
 * link to print. With one: removes leftover tokens and returns undefined.
 */
export async function ensureSetupLink(
  db: Database,
  publicUrl: string,
  now = new Date(),
): Promise<string | undefined> {
  const token = randomBytes(32).toString('base64url');
  const created = await db.transaction().execute(async (trx) => {
    await lockSetup(trx);
    await trx.deleteFrom('setup_token').execute();
    if (await activeAdminExists(trx)) return false;
    await trx
      .insertInto('setup_token')
      .values({
        token_hash: hashSetupToken(token),
        expires_at: new Date(now.getTime() + SETUP_TOKEN_VALIDITY_MS),
      })
      .execute();
    return true;
  });
  return created ? `${publicUrl.replace(/\/+$/, '')}/setup/${token}` : undefined;
}

async function tokenIsLive(db: Database | Transaction<DB>, token: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('setup_token')
    .select('token_hash')
    .where('token_hash', '=', hashSetupToken(token))
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/** True while the token may still create the first administrator. */
export async function isUsableSetupToken(db: Database, token: string, now = new Date()): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  return (await tokenIsLive(db, token, now)) && !(await activeAdminExists(db));
}

export interface NewAdministrator {
  displayName: string;
  email: string;
  /** Already hashed (argon2id), so the transaction holds no lock while hashing. */
  passwordHash: string;
}

export type SetupResult =
  { status: 'created'; userId: string } | { status: 'invalid_token' } | { status: 'email_taken' };

/**
 * In one transaction: checks the token and that no administrator exists, consumes the token and
 * creates the administrator. A second use, concurrent or later, finds no token.
 */
export async function completeSetup(
  db: Database,
  token: string,
  admin: NewAdministrator,
  now = new Date(),
): Promise<SetupResult> {
  if (!TOKEN_PATTERN.test(token)) return { status: 'invalid_token' };
  return db.transaction().execute(async (trx): Promise<SetupResult> => {
    await lockSetup(trx);
    if (!(await tokenIsLive(trx, token, now)) || (await activeAdminExists(trx))) {
      return { status: 'invalid_token' };
    }
    const sameEmail = await trx
      .selectFrom('staff_user')
      .select('id')
      .where(sql<string>`lower(email)`, '=', admin.email.toLowerCase())
      .executeTakeFirst();
    if (sameEmail) return { status: 'email_taken' };

    const consumed = await trx
      .deleteFrom('setup_token')
      .where('token_hash', '=', hashSetupToken(token))
      .executeTakeFirst();
    if (consumed.numDeletedRows !== 1n) return { status: 'invalid_token' };
    const userId = randomUUID();
    await trx
      .insertInto('staff_user')
      .values({
        id: userId,
        email: admin.email,
        display_name: admin.displayName,
        role: 'admin',
        password_hash: admin.passwordHash,
      })
      .execute();
    await recordAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'staff.created',
      entity: { type: 'staff_user', id: userId },
      details: { role: 'admin', via: 'setup' },
    });
    return { status: 'created', userId };
  });
}
