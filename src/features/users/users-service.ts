import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB, StaffRole } from '../../db/schema.ts';
import type { Translator } from '../../i18n/i18n.ts';
import { recordAudit, type AuditActor } from '../audit/audit-service.ts';
import type { AuditDetails } from '../audit/chain.ts';
import { enqueueMail, type MailKind } from '../mail/outbox.ts';
import { unlockAccount } from '../auth/login-service.ts';
import { endAllStaffSessions } from '../auth/session-service.ts';
import {
  TOKEN_VALIDITY_MS,
  consumeStaffToken,
  issueStaffToken,
  type StaffTokenPurpose,
} from './staff-tokens.ts';

/**
 * Staff accounts as administrators manage them: invitations, roles and teams, disabling, unlocking
 * and reset links, and what the invitee and the user with a reset link do with their link. Every
 * change is audited in its own transaction; a change of role, team or status ends the user's
 * sessions, so the new privileges hold from a fresh sign-in (a session id is renewed at every change
 * of privilege).
 */

/** The roles an administrator can give today; partner and statistics users come with later issues. */
export const assignableRoles = ['admin', 'coordinator', 'advisor'] as const satisfies readonly StaffRole[];
export type AssignableRole = (typeof assignableRoles)[number];
export const isAssignableRole = (value: unknown): value is AssignableRole =>
  typeof value === 'string' && (assignableRoles as readonly string[]).includes(value);

export type StaffStatus = 'invited' | 'active' | 'locked' | 'disabled';

export interface StaffListRow {
  id: string;
  displayName: string;
  email: string;
  role: StaffRole;
  teamId: string | null;
  teamName: string | null;
  status: StaffStatus;
  hasTotp: boolean;
  unusedRecoveryCodes: number;
  passkeys: number;
}

/** Who is acting, for the audit log and for the link in a mail. */
export interface AdminContext {
  actor: AuditActor & { userId: string };
  requestId: string;
  rootKey: Buffer;
  publicUrl: string;
  /** Mail goes out in Dutch and English: the invitee's language is not known. */
  translators: { nl: Translator; en: Translator };
  regionName: string;
}

/** The audit row of what an administrator did to a staff account, in the transaction that did it. */
const auditStaffChange = (
  trx: Transaction<DB>,
  admin: AdminContext,
  userId: string,
  action: string,
  details?: AuditDetails,
) =>
  recordAudit(trx, {
    actor: admin.actor,
    action,
    entity: { type: 'staff_user', id: userId },
    requestId: admin.requestId,
    ...(details ? { details } : {}),
  });

function statusOf(row: {
  disabled_at: Date | null;
  locked_at: Date | null;
  password_hash: string | null;
}): StaffStatus {
  if (row.disabled_at) return 'disabled';
  if (row.locked_at) return 'locked';
  return row.password_hash === null ? 'invited' : 'active';
}

function staffQuery(db: Database) {
  return db
    .selectFrom('staff_user')
    .leftJoin('team', 'team.id', 'staff_user.team_id')
    .select((eb) => [
      'staff_user.id',
      'staff_user.display_name',
      'staff_user.email',
      'staff_user.role',
      'staff_user.team_id',
      'team.name as team_name',
      'staff_user.disabled_at',
      'staff_user.locked_at',
      'staff_user.password_hash',
      eb
        .exists(
          eb
            .selectFrom('staff_totp')
            .select('staff_totp.user_id')
            .whereRef('staff_totp.user_id', '=', 'staff_user.id')
            .where('staff_totp.enabled_at', 'is not', null),
        )
        .as('has_totp'),
      eb
        .selectFrom('staff_recovery_code')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('staff_recovery_code.user_id', '=', 'staff_user.id')
        .where('staff_recovery_code.used_at', 'is', null)
        .as('recovery_codes'),
      eb
        .selectFrom('staff_passkey')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('staff_passkey.user_id', '=', 'staff_user.id')
        .as('passkeys'),
    ]);
}

type StaffQueryRow = Awaited<ReturnType<ReturnType<typeof staffQuery>['executeTakeFirstOrThrow']>>;

const toListRow = (row: StaffQueryRow): StaffListRow => ({
  id: row.id,
  displayName: row.display_name,
  email: row.email,
  role: row.role,
  teamId: row.team_id,
  teamName: row.team_name,
  status: statusOf(row),
  hasTotp: Boolean(row.has_totp),
  unusedRecoveryCodes: row.recovery_codes ?? 0,
  passkeys: row.passkeys ?? 0,
});

export async function listStaff(db: Database): Promise<StaffListRow[]> {
  const rows = await staffQuery(db)
    .orderBy(sql`lower(staff_user.display_name)`)
    .execute();
  return rows.map(toListRow);
}

export async function findStaff(db: Database, userId: string): Promise<StaffListRow | undefined> {
  const row = await staffQuery(db).where('staff_user.id', '=', userId).executeTakeFirst();
  return row ? toListRow(row) : undefined;
}

export interface Team {
  id: string;
  name: string;
}

export async function listTeams(db: Database): Promise<Team[]> {
  return db
    .selectFrom('team')
    .select(['id', 'name'])
    .orderBy(sql`lower(name)`)
    .execute();
}

export async function findTeam(db: Database, teamId: string): Promise<Team | undefined> {
  return db.selectFrom('team').select(['id', 'name']).where('id', '=', teamId).executeTakeFirst();
}

async function teamNameTaken(trx: Transaction<DB>, name: string, except?: string): Promise<boolean> {
  let query = trx
    .selectFrom('team')
    .select('id')
    .where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (except) query = query.where('id', '!=', except);
  return (await query.executeTakeFirst()) !== undefined;
}

export type TeamResult =
  { status: 'saved'; teamId: string } | { status: 'name_taken' } | { status: 'not_found' };

export async function createTeam(db: Database, admin: AdminContext, name: string): Promise<TeamResult> {
  return db.transaction().execute(async (trx): Promise<TeamResult> => {
    if (await teamNameTaken(trx, name)) return { status: 'name_taken' };
    const teamId = randomUUID();
    await trx.insertInto('team').values({ id: teamId, name }).execute();
    await recordAudit(trx, {
      actor: admin.actor,
      action: 'team.created',
      entity: { type: 'team', id: teamId },
      requestId: admin.requestId,
    });
    return { status: 'saved', teamId };
  });
}

export async function renameTeam(
  db: Database,
  admin: AdminContext,
  teamId: string,
  name: string,
): Promise<TeamResult> {
  return db.transaction().execute(async (trx): Promise<TeamResult> => {
    if (await teamNameTaken(trx, name, teamId)) return { status: 'name_taken' };
    const updated = await trx.updateTable('team').set({ name }).where('id', '=', teamId).executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return { status: 'not_found' };
    await recordAudit(trx, {
      actor: admin.actor,
      action: 'team.renamed',
      entity: { type: 'team', id: teamId },
      requestId: admin.requestId,
    });
    return { status: 'saved', teamId };
  });
}

const linkPaths: Record<StaffTokenPurpose, string> = {
  invite: '/beheer/uitnodiging/',
  reset: '/beheer/wachtwoord-herstellen/',
};
const mailKinds: Record<StaffTokenPurpose, MailKind> = { invite: 'staff_invite', reset: 'staff_reset' };

/**
 * A new link for the user and the mail that carries it, in the caller's transaction. The mail's text
 * comes from the catalogs (`users.mail.<purpose>.*`), Dutch first, then English.
 */
async function mailLink(
  trx: Transaction<DB>,
  admin: AdminContext,
  user: { id: string; email: string; displayName: string },
  purpose: StaffTokenPurpose,
): Promise<void> {
  const token = await issueStaffToken(trx, admin.rootKey, {
    userId: user.id,
    purpose,
    createdBy: admin.actor.userId,
  });
  const values = {
    name: user.displayName,
    region: admin.regionName,
    hours: TOKEN_VALIDITY_MS[purpose] / (60 * 60 * 1000),
    days: TOKEN_VALIDITY_MS[purpose] / (24 * 60 * 60 * 1000),
  };
  const link = (locale: 'nl' | 'en') =>
    `${admin.publicUrl}${locale === 'en' ? '/en' : ''}${linkPaths[purpose]}${token}`;
  const body = (['nl', 'en'] as const)
    .map((locale) =>
      admin.translators[locale].t(`users.mail.${purpose}.body`, { ...values, link: link(locale) }),
    )
    .join('\n\n----\n\n');
  await enqueueMail(trx, admin.rootKey, {
    kind: mailKinds[purpose],
    to: user.email,
    subject: `${admin.translators.nl.t(`users.mail.${purpose}.subject`, values)} / ${admin.translators.en.t(`users.mail.${purpose}.subject`, values)}`,
    body,
  });
}

export interface Invitation {
  displayName: string;
  email: string;
  role: AssignableRole;
  teamId: string | undefined;
}

export type InviteResult =
  { status: 'invited'; userId: string } | { status: 'email_taken' } | { status: 'unknown_team' };

/**
 * One transaction: the account without a password, the invitation link (7 days), the mail that
 * carries it, and the audit event. Nothing is sent unless all of it committed.
 */
export async function inviteStaff(
  db: Database,
  admin: AdminContext,
  invitation: Invitation,
): Promise<InviteResult> {
  return db.transaction().execute(async (trx): Promise<InviteResult> => {
    const taken = await trx
      .selectFrom('staff_user')
      .select('id')
      .where(sql<string>`lower(email)`, '=', invitation.email.toLowerCase())
      .executeTakeFirst();
    if (taken) return { status: 'email_taken' };
    if (invitation.teamId !== undefined) {
      const team = await trx
        .selectFrom('team')
        .select('id')
        .where('id', '=', invitation.teamId)
        .executeTakeFirst();
      if (!team) return { status: 'unknown_team' };
    }
    const userId = randomUUID();
    await trx
      .insertInto('staff_user')
      .values({
        id: userId,
        email: invitation.email,
        display_name: invitation.displayName,
        role: invitation.role,
        password_hash: null,
        team_id: invitation.teamId ?? null,
        invited_at: new Date(),
      })
      .execute();
    await mailLink(
      trx,
      admin,
      { id: userId, email: invitation.email, displayName: invitation.displayName },
      'invite',
    );
    await auditStaffChange(trx, admin, userId, 'staff.invited', {
      role: invitation.role,
      team: invitation.teamId ? 'set' : 'none',
    });
    return { status: 'invited', userId };
  });
}

export type AdminActionResult =
  'done' | 'not_found' | 'not_applicable' | 'last_admin' | 'own_account' | 'unknown_team';

interface LockedUser {
  id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  team_id: string | null;
  password_hash: string | null;
  disabled_at: Date | null;
  locked_at: Date | null;
}

/** Runs an administrator's action on one user, row-locked, with its audit event in the same transaction. */
async function onUser(
  db: Database,
  userId: string,
  work: (trx: Transaction<DB>, user: LockedUser) => Promise<AdminActionResult>,
): Promise<AdminActionResult> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('staff_user')
      .select(['id', 'email', 'display_name', 'role', 'team_id', 'password_hash', 'disabled_at', 'locked_at'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    return user ? work(trx, user) : 'not_found';
  });
}

/**
 * True when, without this user, no active administrator would remain. Administrators are serialised
 * by locking every admin row, so two concurrent demotions cannot both pass.
 */
async function isLastActiveAdmin(trx: Transaction<DB>, user: LockedUser): Promise<boolean> {
  if (user.role !== 'admin' || user.disabled_at !== null) return false;
  const others = await trx
    .selectFrom('staff_user')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .where('id', '!=', user.id)
    .forUpdate()
    .execute();
  return others.length === 0;
}

export async function resendInvitation(
  db: Database,
  admin: AdminContext,
  userId: string,
): Promise<AdminActionResult> {
  return onUser(db, userId, async (trx, user) => {
    if (user.password_hash !== null || user.disabled_at !== null) return 'not_applicable';
    await mailLink(trx, admin, { id: user.id, email: user.email, displayName: user.display_name }, 'invite');
    await auditStaffChange(trx, admin, user.id, 'staff.invite_resent');
    return 'done';
  });
}

export async function changeRoleAndTeam(
  db: Database,
  admin: AdminContext,
  userId: string,
  change: { role: AssignableRole; teamId: string | undefined },
): Promise<AdminActionResult> {
  return onUser(db, userId, async (trx, user) => {
    if (change.teamId !== undefined) {
      const team = await trx
        .selectFrom('team')
        .select('id')
        .where('id', '=', change.teamId)
        .executeTakeFirst();
      if (!team) return 'unknown_team';
    }
    const teamId = change.teamId ?? null;
    if (user.role === change.role && user.team_id === teamId) return 'done';
    if (change.role !== 'admin' && (await isLastActiveAdmin(trx, user))) return 'last_admin';
    await trx
      .updateTable('staff_user')
      .set({ role: change.role, team_id: teamId })
      .where('id', '=', user.id)
      .execute();
    const ended = await endAllStaffSessions(trx, user.id);
    await auditStaffChange(trx, admin, user.id, 'staff.role_changed', {
      from: user.role,
      to: change.role,
      team_changed: user.team_id !== teamId,
      sessions_ended: ended,
    });
    return 'done';
  });
}

export async function setDisabled(
  db: Database,
  admin: AdminContext,
  userId: string,
  disabled: boolean,
): Promise<AdminActionResult> {
  return onUser(db, userId, async (trx, user) => {
    if ((user.disabled_at !== null) === disabled) return 'not_applicable';
    if (disabled && user.id === admin.actor.userId) return 'own_account';
    if (disabled && (await isLastActiveAdmin(trx, user))) return 'last_admin';
    await trx
      .updateTable('staff_user')
      .set({ disabled_at: disabled ? new Date() : null })
      .where('id', '=', user.id)
      .execute();
    const ended = await endAllStaffSessions(trx, user.id);
    await auditStaffChange(trx, admin, user.id, disabled ? 'staff.disabled' : 'staff.enabled', {
      sessions_ended: ended,
    });
    return 'done';
  });
}

export async function unlockStaff(
  db: Database,
  admin: AdminContext,
  userId: string,
): Promise<AdminActionResult> {
  return onUser(db, userId, async (trx, user) => {
    if (user.locked_at === null) return 'not_applicable';
    await unlockAccount(trx, user.id);
    await auditStaffChange(trx, admin, user.id, 'staff.unlocked');
    return 'done';
  });
}

/** A reset link (1 hour) by mail, for an account that has a password; an invitee gets a new invitation. */
export async function sendResetLink(
  db: Database,
  admin: AdminContext,
  userId: string,
): Promise<AdminActionResult> {
  return onUser(db, userId, async (trx, user) => {
    if (user.password_hash === null || user.disabled_at !== null) return 'not_applicable';
    await mailLink(trx, admin, { id: user.id, email: user.email, displayName: user.display_name }, 'reset');
    await auditStaffChange(trx, admin, user.id, 'staff.reset_sent');
    return 'done';
  });
}

// --- the person with the link ---------------------------------------------------------------------

export type LinkResult = { status: 'done'; userId: string; role: StaffRole } | { status: 'invalid' };

/**
 * Accepting an invitation: the token is used, the password set and the account active, in one
 * transaction with its audit event. The password is hashed before, so no lock waits for argon2id.
 */
export async function acceptInvitation(
  db: Database,
  rootKey: Buffer,
  token: string,
  passwordHash: string,
  requestId: string,
): Promise<LinkResult> {
  return db.transaction().execute(async (trx): Promise<LinkResult> => {
    const userId = await consumeStaffToken(trx, rootKey, token, 'invite');
    if (!userId) return { status: 'invalid' };
    const user = await trx
      .updateTable('staff_user')
      .set({ password_hash: passwordHash, activated_at: new Date(), failed_login_count: 0 })
      .where('id', '=', userId)
      .where('password_hash', 'is', null)
      .returning(['id', 'role'])
      .executeTakeFirst();
    if (!user) return { status: 'invalid' };
    await recordAudit(trx, {
      actor: { userId: user.id, role: user.role },
      action: 'staff.activated',
      entity: { type: 'staff_user', id: user.id },
      requestId,
    });
    return { status: 'done', userId: user.id, role: user.role };
  });
}

/**
 * A reset link: new password, lock and failure count cleared, every session ended (whoever had one
 * is out), in one transaction with its audit event.
 */
export async function resetPassword(
  db: Database,
  rootKey: Buffer,
  token: string,
  passwordHash: string,
  requestId: string,
): Promise<LinkResult> {
  return db.transaction().execute(async (trx): Promise<LinkResult> => {
    const userId = await consumeStaffToken(trx, rootKey, token, 'reset');
    if (!userId) return { status: 'invalid' };
    const user = await trx
      .updateTable('staff_user')
      .set({ password_hash: passwordHash, failed_login_count: 0, locked_at: null })
      .where('id', '=', userId)
      .returning(['id', 'role'])
      .executeTakeFirstOrThrow();
    const ended = await endAllStaffSessions(trx, user.id);
    await recordAudit(trx, {
      actor: { userId: user.id, role: user.role },
      action: 'staff.password_reset',
      entity: { type: 'staff_user', id: user.id },
      requestId,
      details: { sessions_ended: ended },
    });
    return { status: 'done', userId: user.id, role: user.role };
  });
}
