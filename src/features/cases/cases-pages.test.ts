import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { createStaffUser, type StaffUser } from '../../test/staff.ts';
import { seedReport } from '../../test/reports.ts';
import { cookieName } from '../../web/cookies.ts';
import { createStaffSession, STAFF_COOKIE } from '../auth/session-service.ts';
import { createCaseFromReport } from './case-service.ts';

/**
 * Every page of the case file, with and without errors, through axe-core's WCAG 2.1 A/AA rules in
 * Chromium, without JavaScript-only paths: the lists, a case as a coordinator (with every form and
 * the access log), editing and the conflict page, break the glass, the access review and the report
 * page's case section. Nothing may load from another origin and nothing may log a console error.
 */
describe('case file pages in a browser', { timeout: 180_000 }, () => {
  let h: BrowserHarness;
  let coordinator: StaffUser;
  let advisor: StaffUser;
  let outsider: StaffUser;
  let caseId = '';
  let reportId = '';
  let freeReportId = '';

  before(async () => {
    h = await startBrowserHarness();
    h.context.setDefaultTimeout(5_000);
    const { app, database } = h.testApp;
    const teamId = randomUUID();
    await database.db.insertInto('team').values({ id: teamId, name: 'Team Oost' }).execute();
    coordinator = await createStaffUser(app, 'coordinator', { displayName: 'Cora Coördinator' });
    advisor = await createStaffUser(app, 'advisor', { displayName: 'Ada Adviseur' });
    outsider = await createStaffUser(app, 'advisor', { displayName: 'Otto Buiten' });
    await database.db
      .updateTable('staff_user')
      .set({ team_id: teamId })
      .where('id', '=', advisor.id)
      .execute();
    reportId = await seedReport(h.testApp, {
      acute_danger: 'yes',
      reply_channel: 'email',
      contact_email: 'm@example.org',
    });
    freeReportId = await seedReport(h.testApp);
    const principal = {
      userId: advisor.id,
      role: 'advisor' as const,
      displayName: 'Ada',
      teamId,
      sessionId: 'x',
    };
    const made = await createCaseFromReport(
      database.db,
      h.testApp.config.secrets.encryptionKeys,
      { principal, requestId: randomUUID() },
      { reportId, title: 'Kas aan de rand van de stad' },
    );
    if (made.kind !== 'created') throw new Error('the case was not created');
    caseId = made.caseId;
  });
  after(() => (h as BrowserHarness | undefined)?.close());

  async function signedIn(user: StaffUser): Promise<{ context: BrowserContext; page: Page }> {
    const context = await h.newContext();
    const sessionId = await createStaffSession(h.testApp.database.db, user.id, 'full');
    await context.addCookies([
      { name: cookieName(h.testApp.config, STAFF_COOKIE), value: sessionId, url: h.baseUrl },
    ]);
    return { context, page: await context.newPage() };
  }

  async function visit(page: Page, path: string, label: string, status = 200) {
    const response = await page.goto(h.baseUrl + path);
    assert.equal(response?.status(), status, label);
    await assertNoAxeViolations(page, label);
  }

  async function submit(page: Page, button: string, label: string, status: number) {
    // The page that is finally shown: after a 303, the page it leads to.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.status() !== 303),
      page.getByRole('button', { name: button, exact: true }).first().click(),
    ]);
    await page.waitForLoadState();
    assert.equal(response.status(), status, label);
    await assertNoAxeViolations(page, label);
  }

  it('has no WCAG 2.1 A/AA violations on any case page or error state', async () => {
    const ada = await signedIn(advisor);
    await visit(ada.page, '/beheer/casussen', 'my cases');
    await visit(ada.page, `/beheer/casussen/${caseId}`, 'case page (advisor)');
    await submit(ada.page, 'Notitie opslaan', 'case page with a note error', 400);
    assert.equal(await ada.page.locator('[data-error-summary]').count(), 1);
    await ada.page.fill('#f-note', 'Eerste gesprek gepland.');
    await submit(ada.page, 'Notitie opslaan', 'case page after a note', 200);
    await submit(ada.page, 'Afsluiten aanvragen', 'closure request without a reason', 400);
    await visit(ada.page, `/beheer/casussen/${caseId}/bewerken`, 'edit form');
    await ada.page.fill('#f-title', '');
    await submit(ada.page, 'Opslaan', 'edit form with errors', 400);
    await visit(ada.page, `/beheer/casussen/${caseId}/bewerken`, 'edit form again');
    await h.testApp.database.db
      .updateTable('case_file')
      .set({ title: 'Door een ander gewijzigd', version: 7 })
      .where('id', '=', caseId)
      .execute();
    await ada.page.fill('#f-title', 'Mijn eigen titel');
    await submit(ada.page, 'Opslaan', 'conflict page', 409);
    await visit(ada.page, `/beheer/meldingen/${freeReportId}`, 'report page with the case section');
    await submit(ada.page, 'Maak casus', 'make-case form with an error', 400);
    await visit(ada.page, `/beheer/meldingen/${reportId}`, 'report page of a report in a case');
    await ada.context.close();

    const otto = await signedIn(outsider);
    await visit(otto.page, `/beheer/casussen/${caseId}/toegang`, 'break the glass');
    await submit(otto.page, 'Casus openen', 'break the glass with an error', 400);
    await otto.page.fill('#f-reason', 'Ada is vandaag afwezig en er belde iemand.');
    await submit(otto.page, 'Casus openen', 'case page after breaking the glass', 200);
    await otto.context.close();

    const cora = await signedIn(coordinator);
    await visit(cora.page, '/beheer/casussen?volgorde=urgent', 'all cases, urgent first');
    await visit(cora.page, `/beheer/casussen/${caseId}`, 'case page (coordinator, with the access log)');
    await visit(cora.page, '/beheer/casussen/afsluiten', 'closure queue');
    await visit(cora.page, '/beheer/casussen/toegangscontrole', 'access review');
    await visit(cora.page, `/en/beheer/casussen/${caseId}`, 'case page in English');
    await cora.context.close();

    h.assertNoForeignRequests(0, 'the case pages');
    // The browser reports the refused forms' statuses itself (400, and 409 for the conflict); nothing
    // else may appear.
    assert.deepEqual(
      h.consoleErrors.filter((e) => !/status of (400|409) /.test(e)),
      [],
    );
  });
});
