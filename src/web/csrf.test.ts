import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../test/app.ts';
import { inputValue } from '../test/http-client.ts';
import { seedReport } from '../test/reports.ts';
import { createDataKey } from '../crypto/envelope.ts';
import { createStaffSession } from '../features/auth/session-service.ts';
import { openMailboxSession } from '../features/intake/mailbox-service.ts';
import { can, pendingAccessStage, registeredRoutes, type RegisteredRoute } from './policy.ts';
import type { StaffRole } from '../db/schema.ts';

/**
 * Every state-changing route (every registered POST, both languages) refuses a request without the
 * form's CSRF token, and one carrying another session's token: anonymously, and as staff who may
 * use the route. Refused means no success status and not one row more or less in any table. A new
 * POST route is covered here without touching this file.
 */

/** Closing a session needs no token by design (always safe, and must work from an expired page). */
const SIGN_OUT = new Map([
  ['/beheer/uitloggen', 'staff_session'],
  ['/mijn-melding/sluiten', 'mailbox_session'],
]);

/**
 * Answers that refuse: an error, or a redirect elsewhere by the policy or the sign-in steps (to sign
 * in, to the staff home, to the step a part-way session is at, or to the mailbox login).
 */
const refused = (response: LightMyRequestResponse) =>
  response.statusCode >= 400 ||
  (response.statusCode === 303 &&
    /^(\/en)?\/(beheer\/inloggen(\?verlopen)?|beheer|beheer\/tweestaps-instellen|mijn-melding)$/.test(
      response.headers.location ?? '',
    ));

/** Audit rows record the attempt itself (a case opened, a sign-out); they are not its effect. */
const AUDIT_TABLES = new Set(['audit_event', 'audit_anchor']);

const staffRoles: StaffRole[] = ['admin', 'coordinator', 'advisor'];

describe('CSRF protection on every state-changing route', () => {
  let t: TestApp;
  const users = new Map<StaffRole, string>();
  const caseId = randomUUID();
  let reportId = '';
  let tables: string[] = [];
  /** The victim's CSRF cookie; and a valid token from another session (the attacker's own). */
  let victimCookie = '';
  let foreignToken = '';

  before(async () => {
    t = await createTestApp();
    const { db } = t.database;
    const dataKey = await createDataKey(db, t.config.secrets.encryptionKeys);
    await db
      .insertInto('case_file')
      .values({ id: caseId, number: '2026-9998', title: 'CSRF-test', data_key_id: dataKey.id })
      .execute();
    reportId = await seedReport(t);
    for (const role of staffRoles) {
      const id = randomUUID();
      users.set(role, id);
      await db
        .insertInto('staff_user')
        .values({ id, email: `${role}@example.org`, display_name: role, role, password_hash: 'not-a-hash' })
        .execute();
    }
    const csrfOf = async () => {
      const page = await t.app.inject({ method: 'GET', url: '/beheer/inloggen' });
      const set = page.cookies.find((c) => c.name.endsWith('baken_csrf'));
      assert.ok(set);
      return { cookie: `${set.name}=${set.value}`, token: inputValue(page.body, '_csrf') };
    };
    victimCookie = (await csrfOf()).cookie;
    foreignToken = (await csrfOf()).token;
    const found = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
    tables = found.rows.map((r) => r.table_name).sort();
    assert.ok(tables.includes('report') && tables.includes('staff_session'));
  });
  after(() => t.close());

  async function rowCounts(): Promise<Record<string, number>> {
    const union = tables
      .map((name) => `select '${name}' as name, count(*) as n from "${name}"`)
      .join(' union all ');
    const { rows } = await sql<{ name: string; n: string | number }>`${sql.raw(union)}`.execute(
      t.database.db,
    );
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  }

  /** Staff who pass the route's policy, so the request reaches the handler's CSRF check. */
  async function staffCookieFor(route: RegisteredRoute): Promise<string> {
    const rule = route.rule;
    let role: StaffRole = 'admin';
    let stage: 'full' | 'password' | 'passkey_enrolment' = 'full';
    if (rule && 'permission' in rule) role = staffRoles.find((r) => can(r, rule.permission)) ?? 'admin';
    else if (rule && rule.access !== 'public') stage = pendingAccessStage[rule.access];
    const userId = users.get(role) ?? '';
    return `baken_staff=${await createStaffSession(t.database.db, userId, stage)}`;
  }

  const concrete = (url: string) =>
    url
      .replace(/(\/casussen\/):id(?=\/|$)/, `$1${caseId}`)
      .replace(/(\/meldingen\/):id(?=\/|$)/, `$1${reportId}`)
      .replace(/:[^/]+/g, () => randomUUID());

  it('refuses every POST without a token or with another session’s token', async () => {
    const posts = registeredRoutes(t.app).filter((r) => r.method === 'POST');
    assert.ok(posts.length >= 40, `${posts.length} POST routes`);
    const problems: string[] = [];
    let checked = 0;
    for (const route of posts) {
      const url = concrete(route.url);
      const signOut = SIGN_OUT.get(route.url.replace(/^\/en(?=\/)/, ''));
      const encodings = /passkey/.test(route.url) ? (['form', 'json'] as const) : (['form'] as const);
      // Sessions first, then one count of every table before and one after the route's requests.
      const attempts: { label: string; cookie: string; token?: string; encoding: 'form' | 'json' }[] = [];
      for (const actor of ['anonymous', 'staff'] as const) {
        for (const token of [undefined, foreignToken]) {
          for (const encoding of encodings) {
            const mailbox = await openMailboxSession(t.database.db, reportId);
            const cookies = [victimCookie, `baken_mailbox=${mailbox}`];
            if (actor === 'staff') {
              cookies.push(await staffCookieFor(route));
              // A part-way sign-in step prepares its state when its page is shown, as the person saw it.
              if (route.rule && 'access' in route.rule && route.rule.access !== 'public') {
                await t.app.inject({ method: 'GET', url, headers: { cookie: cookies.join('; ') } });
              }
            }
            const label = `POST ${url} as ${actor}, ${token ? 'foreign token' : 'no token'}, ${encoding}`;
            attempts.push({ label, cookie: cookies.join('; '), token, encoding });
          }
        }
      }
      const before = await rowCounts();
      for (const { label, cookie, token, encoding } of attempts) {
        const fields = { ...(token ? { _csrf: token } : {}), body: 'Hallo', code: '1234' };
        const response = await t.app.inject({
          method: 'POST',
          url,
          remoteAddress: '192.0.2.200',
          headers: {
            cookie,
            'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
          },
          payload: encoding === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
        });
        checked++;
        if (!signOut && !refused(response)) {
          problems.push(`${label}: ${response.statusCode} ${response.headers.location ?? ''}`);
        }
      }
      const after = await rowCounts();
      for (const table of tables) {
        if (table === signOut || AUDIT_TABLES.has(table)) continue;
        if (before[table] !== after[table]) {
          problems.push(`POST ${url}: ${table} ${before[table]} → ${after[table]}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 160, `${checked} requests checked`);
  });
});
