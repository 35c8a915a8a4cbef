import { randomUUID } from 'node:crypto';
import { createDataKey } from '../crypto/envelope.ts';
import type { Transaction } from 'kysely';
import type { DB, StaffRole } from '../db/schema.ts';
import { allocateCaseNumber, caseYear } from '../features/cases/case-number.ts';
import { CASE_ENTITY } from '../features/audit/audit-service.ts';
import { STAFF_COOKIE, createStaffSession } from '../features/auth/session-service.ts';
import { cookieName } from '../web/cookies.ts';
import type { TestApp } from './app.ts';
import { TestClient } from './http-client.ts';
import { createStaffUser, type StaffUser } from './staff.ts';

/**
 * A case straight in the database, as the case service would create one: its own data key, a number,
 * an assignee and a team. For tests of the parts of a case (persons, indicators, tasks).
 */
export interface TestCase {
  id: string;
  number: string;
}

export async function createTestCase(
  t: TestApp,
  options: {
    assignedUserId?: string | null;
    teamId?: string | null;
    exploitationForms?: string[];
    title?: string;
  } = {},
): Promise<TestCase> {
  const { db } = t.database;
  const dataKey = await createDataKey(db, t.config.secrets.encryptionKeys);
  const id = randomUUID();
  // From the same counter as the app's, so cases made here and through the app never share a number.
  return db.transaction().execute(async (trx) => {
    const number = await allocateCaseNumber(trx, caseYear(new Date()));
    await insertCase(trx, id, number, dataKey.id, options);
    return { id, number };
  });
}

async function insertCase(
  trx: Transaction<DB>,
  id: string,
  number: string,
  dataKeyId: string,
  options: Parameters<typeof createTestCase>[1] & object,
): Promise<void> {
  await trx
    .insertInto('case_file')
    .values({
      id,
      number,
      title: options.title ?? `Testcasus ${number}`,
      assigned_user_id: options.assignedUserId ?? null,
      team_id: options.teamId ?? null,
      exploitation_forms: options.exploitationForms ?? [],
      data_key_id: dataKeyId,
    })
    .execute();
}

/** A team, with the given staff users in it. */
export async function createTestTeam(t: TestApp, memberIds: string[] = []): Promise<string> {
  const id = randomUUID();
  await t.database.db
    .insertInto('team')
    .values({ id, name: `Team ${id.slice(0, 8)}` })
    .execute();
  if (memberIds.length > 0) {
    await t.database.db.updateTable('staff_user').set({ team_id: id }).where('id', 'in', memberIds).execute();
  }
  return id;
}

/**
 * A staff user with a fully signed-in session, without walking through the sign-in pages (those have
 * their own tests; here they would only slow down tests about case work).
 */
export async function staffWithSession(
  t: TestApp,
  role: StaffRole,
  options: { displayName?: string; email?: string } = {},
): Promise<{ client: TestClient; user: StaffUser }> {
  const user = await createStaffUser(t.app, role, options);
  const sessionId = await createStaffSession(t.database.db, user.id, 'full');
  const client = new TestClient(t.app);
  client.cookies.set(cookieName(t.config, STAFF_COOKIE), sessionId);
  return { client, user };
}

export type SessionStaff = Awaited<ReturnType<typeof staffWithSession>>;

/**
 * The people of most case-part tests: an advisor who will hold the case, a coordinator (who sees
 * every case) and an advisor outside the case (who must be refused).
 */
export async function caseStaff(
  t: TestApp,
): Promise<Record<'advisor' | 'coordinator' | 'outsider', SessionStaff>> {
  return {
    advisor: await staffWithSession(t, 'advisor', { displayName: 'Ada Adviseur' }),
    coordinator: await staffWithSession(t, 'coordinator', { displayName: 'Cor Coördinator' }),
    outsider: await staffWithSession(t, 'advisor', { displayName: 'Otto Buiten' }),
  };
}

/** The audit rows with this action filed under the case, oldest first. */
export const caseAudits = (t: TestApp, caseId: string, action: string) =>
  t.database.db
    .selectFrom('audit_event')
    .selectAll()
    .where('action', '=', action)
    .where('entity_type', '=', CASE_ENTITY)
    .where('entity_id', '=', caseId)
    .orderBy('seq')
    .execute();
