import { randomInt, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { Database } from '../../db/database.ts';
import type { Secrets } from '../../config/config.ts';
import { createDataKey, decrypt, encrypt, loadDataKey } from '../../crypto/envelope.ts';
import { deriveKey, keyedHash } from '../../crypto/keys.ts';

/**
 * Second factors: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step either side for clock
 * drift, each step usable once) and ten one-time recovery codes handed out at enrolment.
 */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
const DRIFT_STEPS = 1;
export const RECOVERY_CODE_COUNT = 10;

/** 31 letters and digits without look-alikes (0/o, 1/l/i); 10 of them make about 50 bits. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_CODE_CHARS = 10;

const secretAad = (userId: string) => `staff_totp:secret:${userId}`;

const recoveryCodeKey = (rootKey: Buffer) => deriveKey(rootKey, 'staff-recovery-code');

function totpFor(secret: Secret, label = 'Baken', issuer = 'Baken'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret });
}

export interface Enrolment {
  /** Base32, in groups of four for typing. */
  secretGroups: string;
  /** For authenticator apps that take a link or a QR code of it. */
  uri: string;
}

/** Whether the user has finished TOTP enrolment. */
export async function hasTotp(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('staff_totp')
    .select('enabled_at')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.enabled_at != null;
}

/**
 * The secret to enrol, created on first visit and kept (encrypted) until confirmed, so reloading the
 * page does not invalidate what the user already scanned. Undefined when already enrolled.
 */
export async function startEnrolment(
  db: Database,
  secrets: Secrets,
  user: { id: string; label: string; issuer: string },
): Promise<Enrolment | undefined> {
  const secret = await db.transaction().execute(async (trx) => {
    // Serialises two tabs enrolling at once, so both show the same secret.
    await sql`select id from staff_user where id = ${user.id} for update`.execute(trx);
    const row = await trx
      .selectFrom('staff_totp')
      .select(['data_key_id', 'secret', 'enabled_at'])
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (row?.enabled_at != null) return undefined;
    if (row) {
      const dataKey = await loadDataKey(trx, secrets.encryptionKeys, row.data_key_id);
      return new Secret({
        buffer: new Uint8Array(decrypt(dataKey.key, row.secret, secretAad(user.id))).buffer,
      });
    }
    const fresh = new Secret({ size: 20 });
    const dataKey = await createDataKey(trx, secrets.encryptionKeys);
    await trx
      .insertInto('staff_totp')
      .values({
        user_id: user.id,
        data_key_id: dataKey.id,
        secret: encrypt(dataKey.key, Buffer.from(fresh.bytes), secretAad(user.id)),
      })
      .execute();
    return fresh;
  });
  if (!secret) return undefined;
  return {
    secretGroups: secret.base32.replace(/(.{4})(?!$)/g, '$1 '),
    uri: totpFor(secret, user.label, user.issuer).toString(),
  };
}

/** Six digits, spaces allowed ("123 456"). */
export function normaliseTotp(input: string): string | undefined {
  const digits = input.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}

/** The time step a code belongs to, within the allowed drift; undefined for a wrong code. */
function matchingStep(secret: Secret, code: string, now: number): number | undefined {
  const delta = totpFor(secret).validate({ token: code, timestamp: now, window: DRIFT_STEPS });
  if (delta === null) return undefined;
  return Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

async function loadSecret(
  db: Database,
  secrets: Secrets,
  userId: string,
): Promise<{ secret: Secret; enabled: boolean } | undefined> {
  const row = await db
    .selectFrom('staff_totp')
    .select(['data_key_id', 'secret', 'enabled_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  const dataKey = await loadDataKey(db, secrets.encryptionKeys, row.data_key_id);
  const bytes = decrypt(dataKey.key, row.secret, secretAad(userId));
  return { secret: new Secret({ buffer: new Uint8Array(bytes).buffer }), enabled: row.enabled_at !== null };
}

/**
 * Accepts a code only for a time step later than the last accepted one, in one conditional update,
 * so the same code (or an older one) cannot be used twice, not even by two requests at once.
 */
async function claimStep(db: Database, userId: string, step: number, enable: boolean): Promise<boolean> {
  const result = await db
    .updateTable('staff_totp')
    .set(enable ? { last_used_step: step, enabled_at: new Date() } : { last_used_step: step })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .where('enabled_at', enable ? 'is' : 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Confirms enrolment with a current code. On success TOTP is enabled and the recovery codes (which
 * replace any earlier ones) are returned to be shown once; only their keyed hashes are stored.
 */
export async function confirmEnrolment(
  db: Database,
  secrets: Secrets,
  userId: string,
  input: string,
  now = Date.now(),
): Promise<string[] | undefined> {
  const code = normaliseTotp(input);
  const stored = await loadSecret(db, secrets, userId);
  if (!code || !stored || stored.enabled) return undefined;
  const step = matchingStep(stored.secret, code, now);
  if (step === undefined) return undefined;
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const key = recoveryCodeKey(secrets.secretKey);
  const confirmed = await db.transaction().execute(async (trx) => {
    if (!(await claimStep(trx, userId, step, true))) return false;
    await trx.deleteFrom('staff_recovery_code').where('user_id', '=', userId).execute();
    await trx
      .insertInto('staff_recovery_code')
      .values(
        codes.map((c) => ({
          id: randomUUID(),
          user_id: userId,
          code_hash: keyedHash(key, normaliseRecovery(c)),
        })),
      )
      .execute();
    return true;
  });
  return confirmed ? codes : undefined;
}

/** Checks a TOTP code of an enrolled user, once per time step. */
export async function verifyTotp(
  db: Database,
  secrets: Secrets,
  userId: string,
  input: string,
  now = Date.now(),
): Promise<boolean> {
  const code = normaliseTotp(input);
  const stored = code ? await loadSecret(db, secrets, userId) : undefined;
  if (!code || !stored?.enabled) return false;
  const step = matchingStep(stored.secret, code, now);
  return step !== undefined && claimStep(db, userId, step, false);
}

function newRecoveryCode(): string {
  const chars = Array.from(
    { length: RECOVERY_CODE_CHARS },
    () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)] ?? '',
  ).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Case, spaces and hyphens do not matter when typing a recovery code. */
function normaliseRecovery(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, '');
}

/** Uses up a recovery code; true when it was one of the user's unused codes. */
export async function useRecoveryCode(
  db: Database,
  secrets: Secrets,
  userId: string,
  input: string,
): Promise<boolean> {
  const code = normaliseRecovery(input);
  if (code.length !== RECOVERY_CODE_CHARS) return false;
  const result = await db
    .updateTable('staff_recovery_code')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', keyedHash(recoveryCodeKey(secrets.secretKey), code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function unusedRecoveryCodes(db: Database, userId: string): Promise<number> {
  const row = await db
    .selectFrom('staff_recovery_code')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.count;
}
