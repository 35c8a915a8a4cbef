import type { StaffRole } from '../../db/schema.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';

/** The staff session cookie; `__Host-` prefixed and Secure outside development (web/cookies.ts). */
export const STAFF_COOKIE = 'baken_staff';

/** A session ends after 30 minutes without a request, and always 12 hours after sign-in. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** A session waiting for its second factor (or a required passkey) lasts at most 10 minutes. */
export const PENDING_MAX_MS = 10 * 60 * 1000;

/**
 * 'password': the password was accepted and a second factor is due. 'passkey_enrolment': password and
 * second factor were accepted, but the role requires a passkey and the user has none yet. Both grant
 * only the pages of their step (web/policy.ts); 'full' is signed in. See sign-in-steps.ts.
 */
export type SessionStage = 'password' | 'passkey_enrolment' | 'full';

export interface StaffSession {
  idHash: string;
  userId: string;
  stage: SessionStage;
  role: StaffRole;
  displayName: string;
  teamId: string | null;
}

/** Only the SHA-256 of the cookie value is stored; the value has 256 random bits. */
export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

const isPlausibleId = (id: string | undefined): id is string =>
  id !== undefined && id.length > 0 && id.length <= 100;

/** Opens a session and returns the cookie value. */
export async function createStaffSession(
  db: Database,
  userId: string,
  stage: SessionStage,
  now = new Date(),
): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await db
    .insertInto('staff_session')
    .values({ id_hash: hashSessionId(id), user_id: userId, stage, created_at: now, last_seen_at: now })
    .execute();
  return id;
}

/**
 * The live session for a cookie value, refreshing its idle timer. A session past its idle or absolute
 * timeout, of a disabled account, or waiting for a second factor of a locked account, is removed.
 */
export async function resumeStaffSession(
  db: Database,
  sessionId: string | undefined,
  now = Date.now(),
): Promise<StaffSession | undefined> {
  if (!isPlausibleId(sessionId)) return undefined;
  const idHash = hashSessionId(sessionId);
  const row = await db
    .updateTable('staff_session')
    .set({ last_seen_at: new Date(now) })
    .where('id_hash', '=', idHash)
    .where('last_seen_at', '>', new Date(now - SESSION_IDLE_MS))
    .where('created_at', '>', new Date(now - SESSION_MAX_MS))
    .where((eb) => eb.or([eb('stage', '=', 'full'), eb('created_at', '>', new Date(now - PENDING_MAX_MS))]))
    .returning(['user_id', 'stage'])
    .executeTakeFirst();
  const user = row
    ? await db
        .selectFrom('staff_user')
        .select(['role', 'display_name', 'team_id', 'disabled_at', 'locked_at'])
        .where('id', '=', row.user_id)
        .executeTakeFirst()
    : undefined;
  if (!row || !user || user.disabled_at !== null || (row.stage !== 'full' && user.locked_at !== null)) {
    await db.deleteFrom('staff_session').where('id_hash', '=', idHash).execute();
    return undefined;
  }
  return {
    idHash,
    userId: row.user_id,
    stage: row.stage,
    role: user.role,
    displayName: user.display_name,
    teamId: user.team_id,
  };
}

/**
 * Replaces a session by a new one with a new id (at sign-in and at every change of privilege), so an
 * id known before the change is worth nothing after it.
 */
export async function renewStaffSession(
  db: Database,
  oldSessionId: string | undefined,
  userId: string,
  stage: SessionStage,
): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (trx) => {
    if (isPlausibleId(oldSessionId)) {
      await trx.deleteFrom('staff_session').where('id_hash', '=', hashSessionId(oldSessionId)).execute();
    }
    await trx
      .insertInto('staff_session')
      .values({ id_hash: hashSessionId(id), user_id: userId, stage })
      .execute();
  });
  return id;
}

export async function endStaffSession(db: Database, sessionId: string | undefined): Promise<void> {
  if (!isPlausibleId(sessionId)) return;
  await db.deleteFrom('staff_session').where('id_hash', '=', hashSessionId(sessionId)).execute();
}

/** "Log out everywhere": every session of the user, this one included. */
export async function endAllStaffSessions(db: Database, userId: string): Promise<number> {
  const result = await db.deleteFrom('staff_session').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function removeExpiredStaffSessions(db: Database, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('staff_session')
    .where((eb) =>
      eb.or([
        eb('last_seen_at', '<=', new Date(now - SESSION_IDLE_MS)),
        eb('created_at', '<=', new Date(now - SESSION_MAX_MS)),
        eb.and([eb('stage', '!=', 'full'), eb('created_at', '<=', new Date(now - PENDING_MAX_MS))]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
