import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { actAndLoad } from '../../test/keyboard.ts';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { createTestCase, type TestCase } from '../../test/cases.ts';
import { createStaffUser, type StaffUser } from '../../test/staff.ts';
import { STAFF_COOKIE, createStaffSession } from '../auth/session-service.ts';
import { cookieName } from '../../web/cookies.ts';

/**
 * The parts of a case (persons, indicators, tasks, my tasks) in Chromium: every page and every error
 * state through axe-core's WCAG 2.1 A/AA rules, nothing from another origin, and the questions only
 * for a presumed victim hidden for other roles by CSS, with no script involved.
 */
describe('case parts in a browser', { timeout: 180_000 }, () => {
  let h: BrowserHarness;
  let advisor: StaffUser;
  let theCase: TestCase;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    h = await startBrowserHarness();
    h.context.setDefaultTimeout(5_000);
    advisor = await createStaffUser(h.testApp.app, 'advisor', { displayName: 'Ada Adviseur' });
    theCase = await createTestCase(h.testApp, { assignedUserId: advisor.id, exploitationForms: ['sexual'] });
    // Our script never touches these forms (it only focuses an error summary), so what is hidden here
    // is hidden by CSS alone, as without JavaScript; axe itself needs JavaScript to run.
    context = await h.newContext();
    context.setDefaultTimeout(5_000);
    const sessionId = await createStaffSession(h.testApp.database.db, advisor.id, 'full');
    await context.addCookies([
      { name: cookieName(h.testApp.config, STAFF_COOKIE), value: sessionId, url: h.baseUrl },
    ]);
    page = await context.newPage();
  });
  after(async () => {
    await (context as BrowserContext | undefined)?.close();
    await (h as BrowserHarness | undefined)?.close();
  });

  const casePath = (part: string) => `${h.baseUrl}/beheer/casussen/${theCase.id}/${part}`;

  async function open(url: string, label: string): Promise<void> {
    const response = await page.goto(url);
    assert.equal(response?.status(), 200, label);
    await assertNoAxeViolations(page, label);
  }

  /** Clicks a submit button and waits for the page it leads to; the statuses of that navigation. */
  async function submit(button: string, expectedStatuses: number[], label: string): Promise<void> {
    const statuses = await actAndLoad(page, () =>
      page.getByRole('button', { name: button, exact: true }).click(),
    );
    assert.deepEqual(statuses, expectedStatuses, label);
    await assertNoAxeViolations(page, label);
  }

  it('persons: the form hides the victim-only questions for another role, by CSS alone', async () => {
    const firstRequest = h.requests.length;
    await open(casePath('personen'), 'persons, empty');
    await open(casePath('personen/nieuw'), 'add person form');
    const victimOnly = page.locator('[data-victim-only]');
    assert.ok(await victimOnly.isVisible(), 'shown while no role is chosen');
    await page.getByLabel('Vermoedelijke dader', { exact: true }).check();
    assert.ok(!(await victimOnly.isVisible()), 'hidden for a suspected perpetrator');
    await page.getByLabel('Vermoedelijk slachtoffer', { exact: true }).check();
    assert.ok(await victimOnly.isVisible(), 'shown for a presumed victim');

    await page.getByLabel('Leeftijd', { exact: true }).fill('130');
    await submit('Persoon toevoegen', [400], 'add person form with errors');
    assert.equal(await page.getAttribute('#f-age', 'aria-invalid'), 'true');

    await page.getByLabel('Leeftijd', { exact: true }).fill('19');
    await page.getByLabel('Naam of schuilnaam', { exact: true }).fill('Ioana');
    await submit('Persoon toevoegen', [303, 200], 'persons with one person');
    await page.getByRole('link', { name: 'Wijzigen: Vermoedelijk slachtoffer: Ioana' }).click();
    await assertNoAxeViolations(page, 'edit person form');

    // Someone else saves first: the conflict page.
    await h.testApp.database.db
      .updateTable('case_person')
      .set({ version: 2 })
      .where('case_id', '=', theCase.id)
      .execute();
    await submit('Wijzigingen opslaan', [409], 'edit conflict');
    await page.goto(casePath('personen'));
    await page.getByRole('link', { name: 'Verwijderen: Vermoedelijk slachtoffer: Ioana' }).click();
    await assertNoAxeViolations(page, 'remove person confirmation');
    h.assertNoForeignRequests(firstRequest, 'persons pages');
  });

  it('indicators and tasks: every state passes axe', async () => {
    const firstRequest = h.requests.length;
    await open(casePath('indicatoren'), 'indicator checklist');
    await page.locator('#f-present_sexual_self_harm').check();
    await page.locator('#f-remark_sexual_self_harm').fill('Gezien bij het gesprek');
    await submit('Signalen opslaan', [303, 200], 'indicator checklist after saving');
    // The browser stops typing at maxlength; a pasted-in or scripted value can still be longer.
    await page.locator('#f-remark_high_debt').evaluate((input) => input.removeAttribute('maxlength'));
    await page.locator('#f-remark_high_debt').fill('x'.repeat(1001));
    await submit('Signalen opslaan', [400], 'indicator checklist with an error');

    await open(casePath('taken'), 'tasks, empty');
    await page.getByLabel('Uiterlijk op (niet verplicht)').fill('2026-02-30');
    await submit('Taak toevoegen', [400], 'task form with errors');
    await page.getByLabel('Wat moet er gebeuren?').fill('Terugbellen');
    await page.getByLabel('Uiterlijk op (niet verplicht)').fill('2020-01-01');
    await submit('Taak toevoegen', [303, 200], 'tasks with an overdue task');
    assert.equal(await page.locator('[data-overdue]').textContent(), 'Te laat');
    await open(`${h.baseUrl}/beheer/taken`, 'my tasks');
    await open(`${h.baseUrl}/en/beheer/taken`, 'my tasks in English');
    h.assertNoForeignRequests(firstRequest, 'indicator and task pages');
  });
});
