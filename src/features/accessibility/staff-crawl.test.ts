import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BrowserContext } from 'playwright-core';
import { formatAxeViolations, runAxe, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { createStaffUser, type StaffUser } from '../../test/staff.ts';
import { seedReport } from '../../test/reports.ts';
import { TestClient, inputValue } from '../../test/http-client.ts';
import { createStaffSession, STAFF_COOKIE, type SessionStage } from '../auth/session-service.ts';
import { cookieName } from '../../web/cookies.ts';
import { isStaffPath, registeredRoutes } from '../../web/policy.ts';
import type { StaffRole } from '../../db/schema.ts';

/**
 * Every back-office page a staff member can reach by following links, for every staff role, through
 * axe-core's WCAG 2.1 A/AA rules in Chromium: starting at the home page, each link under /beheer is
 * followed (one page per route and set of query parameters), every page must answer 200 (a link to a
 * page one may not open is a defect), load nothing from another origin and pass axe. Then every GET
 * route of the back office must have been seen, so a new page without a way to reach it — or without
 * a place in this crawl — fails here.
 */

const ROLES: StaffRole[] = ['admin', 'coordinator', 'advisor'];
const MAX_PAGES_PER_ROLE = 120;

/**
 * Back-office GET routes this crawl cannot reach by following links from a signed-in home page, and
 * where they are checked instead.
 */
const REACHED_ELSEWHERE: Record<string, string> = {
  '/beheer/inloggen': 'before sign-in: staff-pages.test.ts',
  '/beheer/tweestaps': 'second-factor step: staff-pages.test.ts',
  '/beheer/tweestaps-instellen': 'enrolment: staff-pages.test.ts',
  '/beheer/herstelcodes': 'shown once after enrolment: staff-pages.test.ts',
  '/beheer/uitnodiging/:token': 'one-time invitation link: users-pages.test.ts',
  '/beheer/wachtwoord-herstellen/:token': 'one-time reset link: users-pages.test.ts',
  '/beheer/wachtwoord-herstellen/klaar': 'after a reset: users-pages.test.ts',
};

const UUID_SEGMENT = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/g;

/** One visit per route shape: ids replaced, query values ignored (filters, cursors). */
function pageKey(url: URL): string {
  const params = [...new Set(url.searchParams.keys())].sort().join('&');
  return `${url.pathname.replace(UUID_SEGMENT, '/:id')}?${params}`;
}

describe('every back-office page in a browser, for every staff role', { timeout: 600_000 }, () => {
  let h: BrowserHarness;
  const users = new Map<StaffRole, StaffUser>();
  /** A case outside the advisor's own and team's: opening it asks for a reason (break the glass). */
  let outsideCase = '';

  before(async () => {
    h = await startBrowserHarness();
    const { app, database } = h.testApp;
    const teamId = randomUUID();
    await database.db.insertInto('team').values({ id: teamId, name: 'Team Oost' }).execute();
    for (const role of ROLES) {
      const user = await createStaffUser(app, role, { displayName: `Crawler ${role}` });
      // The coordinator is in no team, so the case they make is outside the advisor's.
      if (role !== 'coordinator') {
        await database.db
          .updateTable('staff_user')
          .set({ team_id: teamId })
          .where('id', '=', user.id)
          .execute();
      }
      users.set(role, user);
    }
    const teamReport = await seedReport(h.testApp, {
      acute_danger: 'yes',
      narrative: 'Er worden mensen uitgebuit in een kas.',
    });
    const otherReport = await seedReport(h.testApp, {
      reply_channel: 'email',
      contact_email: 'melder@example.org',
      narrative: 'Mijn nicht moet al haar geld afgeven.',
      exploitation_forms: ['sexual'],
    });
    await seedReport(h.testApp, { narrative: 'Nog niet bekeken.' });
    // Case work as people do it, so that every kind of case page has something to show.
    const advisor = await clientFor(requiredUser('advisor'));
    const teamCase = await makeCase(advisor, teamReport, 'Kas aan de rand van de stad');
    await postForm(advisor, `${teamCase}/personen/nieuw`, {
      role: 'presumed_victim',
      name: 'Alias Rosa',
      age: '19',
      sex: 'female',
      nationality: 'RO',
    });
    await postForm(advisor, `${teamCase}/taken`, {
      title: 'Melder terugbellen',
      due_on: '2026-01-02',
      owner: requiredUser('advisor').id,
    });
    await postForm(advisor, teamCase, { note: 'Eerste weging gedaan.' }, '/notities');
    const coordinator = await clientFor(requiredUser('coordinator'));
    outsideCase = await makeCase(coordinator, otherReport, 'Geld afgeven');
    // The crawl opens one case per role (one page per route shape), whichever the list shows first:
    // a person in each case lets the coordinator reach a person's access and erasure pages.
    await postForm(coordinator, `${outsideCase}/personen/nieuw`, {
      role: 'concerned_person',
      name: 'Alias Mira',
    });
  });

  function requiredUser(role: StaffRole): StaffUser {
    const user = users.get(role);
    assert.ok(user);
    return user;
  }

  async function clientFor(user: StaffUser): Promise<TestClient> {
    const client = new TestClient(h.testApp.app);
    const sessionId = await createStaffSession(h.testApp.database.db, user.id, 'full');
    client.cookies.set(cookieName(h.testApp.config, STAFF_COOKIE), sessionId);
    return client;
  }

  /** Makes a case from a report on the report page; the case's path. */
  async function makeCase(client: TestClient, reportId: string, title: string): Promise<string> {
    const reportPage = await client.get(`/beheer/meldingen/${reportId}`);
    const made = await client.postForm(`/beheer/meldingen/${reportId}/casus`, {
      _csrf: inputValue(reportPage.body, '_csrf'),
      title,
    });
    assert.equal(made.statusCode, 303, 'the case is made');
    return new URL(String(made.headers.location), 'http://x').pathname;
  }

  /** Posts a form the way its page offers it (the CSRF token from the page at `pagePath`). */
  async function postForm(client: TestClient, pagePath: string, fields: Record<string, string>, suffix = '') {
    const formPage = await client.get(pagePath);
    assert.equal(formPage.statusCode, 200, `${pagePath} is open`);
    const posted = await client.postForm(`${pagePath}${suffix}`, {
      _csrf: inputValue(formPage.body, '_csrf'),
      ...fields,
    });
    assert.equal(
      posted.statusCode,
      303,
      `${pagePath}${suffix} accepted the form: ${posted.body.slice(0, 200)}`,
    );
  }

  after(() => (h as BrowserHarness | undefined)?.close());

  async function signedInContext(user: StaffUser, stage: SessionStage = 'full'): Promise<BrowserContext> {
    const context = await h.newContext();
    const sessionId = await createStaffSession(h.testApp.database.db, user.id, stage);
    await context.addCookies([
      { name: cookieName(h.testApp.config, STAFF_COOKIE), value: sessionId, url: h.baseUrl },
    ]);
    return context;
  }

  const visitedRoutes = new Set<string>();

  for (const role of ROLES) {
    it(`${role}: every linked page answers 200, stays on our origin and passes axe`, async () => {
      const user = users.get(role);
      assert.ok(user);
      const context = await signedInContext(user);
      const page = await context.newPage();
      const firstRequest = h.requests.length;
      const queue = [`${h.baseUrl}/beheer`];
      // The page asking for a reason shares its route shape with the cases the advisor may open.
      if (role === 'advisor') queue.push(`${h.baseUrl}${outsideCase}`);
      const seen = new Set<string>([pageKey(new URL(queue[0] ?? ''))]);
      const problems: string[] = [];
      let visited = 0;
      try {
        while (queue.length > 0 && visited < MAX_PAGES_PER_ROLE) {
          const url = queue.shift() ?? '';
          visited++;
          const response = await page.goto(url);
          const status = response?.status() ?? 0;
          if (status !== 200) {
            problems.push(`${url}: answered ${status}`);
            continue;
          }
          if (!(response?.headers()['content-type'] ?? '').startsWith('text/html')) continue;
          const violations = await runAxe(page);
          if (violations.length > 0) problems.push(`${url}:\n${formatAxeViolations(violations)}`);
          const links = await page.$$eval('a[href]', (anchors) =>
            anchors.map((a) => (a as unknown as { href: string }).href),
          );
          for (const link of links) {
            const target = new URL(link);
            target.hash = '';
            if (target.origin !== h.baseUrl || !isStaffPath(target.pathname)) continue;
            const key = pageKey(target);
            if (seen.has(key)) continue;
            seen.add(key);
            queue.push(target.href);
          }
        }
      } finally {
        await context.close();
      }
      h.assertNoForeignRequests(firstRequest, `${role}'s pages`);
      assert.ok(
        visited < MAX_PAGES_PER_ROLE,
        `more than ${MAX_PAGES_PER_ROLE} page shapes: is a link looping?`,
      );
      assert.deepEqual(problems, [], problems.join('\n\n'));
      collectVisitedRoutes();
    });
  }

  it('the passkey enrolment a role can require passes axe too', async () => {
    const context = await signedInContext(requiredUser('coordinator'), 'passkey_enrolment');
    try {
      const page = await context.newPage();
      const response = await page.goto(`${h.baseUrl}/beheer/passkey-instellen`);
      assert.equal(response?.status(), 200);
      const violations = await runAxe(page);
      assert.deepEqual(violations, [], formatAxeViolations(violations));
    } finally {
      await context.close();
    }
    collectVisitedRoutes();
  });

  function collectVisitedRoutes() {
    for (const line of h.testApp.logLines) {
      if (line.method === 'GET' && line.status === 200 && typeof line.route === 'string') {
        visitedRoutes.add(line.route);
      }
    }
  }

  it('leaves no back-office page unvisited', () => {
    const pages = new Set(
      registeredRoutes(h.testApp.app)
        .filter((route) => route.method === 'GET' && isStaffPath(route.url) && !route.url.startsWith('/en/'))
        .map((route) => route.url),
    );
    const unvisited = [...pages].filter((url) => !visitedRoutes.has(url) && !(url in REACHED_ELSEWHERE));
    assert.deepEqual(unvisited, [], 'back-office pages no crawl reached');
  });
});
