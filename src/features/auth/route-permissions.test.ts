import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { inputValue } from '../../test/http-client.ts';
import { staticGetPaths } from '../accessibility/discover-pages.ts';
import {
  can,
  isStaffPath,
  pendingAccessStage,
  registeredRoutes,
  type RegisteredRoute,
  type RouteRule,
} from '../../web/policy.ts';
import type { StaffRole } from '../../db/schema.ts';
import { createStaffSession, type SessionStage } from './session-service.ts';
import { createDataKey } from '../../crypto/envelope.ts';

/**
 * Every registered route (all methods, both languages) for every kind of visitor, against the outcome
 * the policy table predicts. A back-office route without a rule never gets this far: the app refuses
 * to start. A new route with a rule is covered here without touching this file.
 */
type PendingActor = 'pending' | 'enrolling';
type Actor = 'anonymous' | PendingActor | StaffRole;
const actors: Actor[] = ['anonymous', 'pending', 'enrolling', 'admin', 'coordinator', 'advisor'];
/** The session stage of each part-way actor: password accepted; password and TOTP, passkey due. */
const pendingStages: Record<PendingActor, SessionStage> = {
  pending: 'password',
  enrolling: 'passkey_enrolment',
};
const isPending = (actor: Actor): actor is PendingActor => Object.hasOwn(pendingStages, actor);
type Outcome = 'reachable' | 'login' | 'forbidden' | 'staff_home';

function expected(rule: RouteRule | undefined, url: string, actor: Actor): Outcome {
  if (!rule) {
    assert.ok(!isStaffPath(url), `${url} is a back-office route without a rule`);
    return 'reachable';
  }
  if ('access' in rule) {
    if (rule.access === 'public') return 'reachable';
    // A pending-step page: only for a session at exactly that step; signed-in staff go home.
    if (actor === 'anonymous') return 'login';
    if (isPending(actor)) {
      return pendingStages[actor] === pendingAccessStage[rule.access] ? 'reachable' : 'login';
    }
    return 'staff_home';
  }
  if (actor === 'anonymous' || isPending(actor)) return 'login';
  return can(actor, rule.permission) ? 'reachable' : 'forbidden';
}

const LOGIN_REDIRECT = /^(\/en)?\/beheer\/inloggen(\?verlopen)?$/;

function observed(
  method: string,
  response: LightMyRequestResponse,
  forbiddenTitles: string[],
): Outcome | 'other' {
  const location = response.headers.location ?? '';
  if (response.statusCode === 303 && LOGIN_REDIRECT.test(location)) return 'login';
  if (response.statusCode === 303 && /^(\/en)?\/beheer$/.test(location)) return 'staff_home';
  // A HEAD answer has no body to show the page's title in; its status is all there is to go on.
  if (
    response.statusCode === 403 &&
    (method === 'HEAD' || forbiddenTitles.some((title) => response.body.includes(title)))
  ) {
    return 'forbidden';
  }
  // A reporter's own mailbox answers 401 without its session; that is not the staff policy.
  if (response.statusCode >= 500) return 'other';
  return 'reachable';
}

/**
 * A concrete URL for a pattern: parameters get a harmless value, except a case's id, which is a real
 * case (nobody's, no team's): case routes first ask whether the case may be opened, and a malformed id
 * would be refused there for a reason that has nothing to do with the route's permission.
 */
const concrete = (url: string, caseId: string) =>
  url
    .replace(/^((?:\/en)?\/beheer\/casussen\/):id(?=\/|$)/, `$1${caseId}`)
    .replace(/:[^/]+/g, 'x')
    .replace(/\*/g, 'x');

describe('every route × every role', () => {
  let t: TestApp;
  const users = new Map<StaffRole, string>();
  let csrf = { cookie: '', token: '' };
  const caseId = randomUUID();

  before(async () => {
    t = await createTestApp();
    const dataKey = await createDataKey(t.database.db, t.config.secrets.encryptionKeys);
    await t.database.db
      .insertInto('case_file')
      .values({ id: caseId, number: '2026-9999', title: 'Routetest', data_key_id: dataKey.id })
      .execute();
    for (const role of ['admin', 'coordinator', 'advisor'] as const) {
      const id = randomUUID();
      users.set(role, id);
      await t.database.db
        .insertInto('staff_user')
        .values({
          id,
          email: `${role}@example.org`,
          display_name: role,
          role,
          password_hash: 'not-a-hash',
        })
        .execute();
    }
    const page = await t.app.inject({ method: 'GET', url: '/beheer/inloggen' });
    const set = page.cookies.find((c) => c.name.endsWith('baken_csrf'));
    assert.ok(set);
    csrf = { cookie: `${set.name}=${set.value}`, token: inputValue(page.body, '_csrf') };
  });
  after(() => t.close());

  /** A fresh session per request, since some routes (logging out) end it. */
  async function cookieFor(actor: Actor): Promise<string> {
    if (actor === 'anonymous') return csrf.cookie;
    const userId = users.get(isPending(actor) ? 'advisor' : actor);
    assert.ok(userId);
    const id = await createStaffSession(
      t.database.db,
      userId,
      isPending(actor) ? pendingStages[actor] : 'full',
    );
    return `${csrf.cookie}; baken_staff=${id}`;
  }

  async function request(route: RegisteredRoute, actor: Actor): Promise<LightMyRequestResponse> {
    const method = route.method as 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
    const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    return t.app.inject({
      method,
      url: concrete(route.url, caseId),
      remoteAddress: '203.0.113.9',
      headers: {
        cookie: await cookieFor(actor),
        ...(withBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(withBody ? { payload: new URLSearchParams({ _csrf: csrf.token }).toString() } : {}),
    });
  }

  it('knows every route, and every back-office route has a rule', () => {
    const routes = registeredRoutes(t.app);
    const known = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const path of staticGetPaths(t.app)) {
      assert.ok(known.has(`GET ${path}`), `GET ${path} went past the policy's route hook`);
    }
    const staff = routes.filter((r) => isStaffPath(r.url));
    assert.ok(staff.length >= 20, 'the back-office routes are registered');
    for (const route of staff) assert.ok(route.rule, `${route.method} ${route.url} has a rule`);
  });

  it('answers each visitor as the policy table says', async () => {
    const forbiddenTitles = [
      t.app.deps.translators.nl.t('error.forbidden.title'),
      t.app.deps.translators.en.t('error.forbidden.title'),
    ];
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of registeredRoutes(t.app)) {
      for (const actor of actors) {
        const want = expected(route.rule, route.url, actor);
        const response = await request(route, actor);
        const seen = observed(route.method, response, forbiddenTitles);
        // Reaching a public page may well send a signed-in user on to the back office's home.
        const got = want === 'reachable' && seen === 'staff_home' ? 'reachable' : seen;
        checked++;
        if (got !== want) {
          mismatches.push(
            `${route.method} ${route.url} as ${actor}: expected ${want}, got ${got} (${response.statusCode} ${response.headers.location ?? ''})`,
          );
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(checked > 100, `${checked} combinations checked`);
  });

  it('public pages outside the back office are reachable anonymously', async () => {
    for (const path of ['/', '/en', '/melden', '/mijn-melding', '/beheer/inloggen', '/en/beheer/inloggen']) {
      const response = await t.app.inject({ method: 'GET', url: path });
      assert.equal(response.statusCode, 200, path);
    }
  });
});
