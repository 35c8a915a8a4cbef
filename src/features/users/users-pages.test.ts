import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { actAndLoad, assertNoConsoleErrors } from '../../test/keyboard.ts';
import { createStaffUser } from '../../test/staff.ts';
import { createStaffSession } from '../auth/session-service.ts';
import { consoleTransport, deliverDueMail } from '../mail/delivery.ts';

/**
 * Every page of account administration, the audit search and the invitee's link, with and without
 * errors, through axe-core's WCAG 2.1 A/AA rules in Chromium; no request to another origin and no
 * console or CSP errors.
 */
describe('account administration pages in a browser', { timeout: 120_000 }, () => {
  let h: BrowserHarness;
  let page: Page;

  before(async () => {
    h = await startBrowserHarness();
    h.context.setDefaultTimeout(5_000);
    const admin = await createStaffUser(h.testApp.app, 'admin', { displayName: 'Anna Beheer' });
    const session = await createStaffSession(h.testApp.database.db, admin.id, 'full');
    await h.context.addCookies([{ name: 'baken_staff', value: session, url: h.baseUrl }]);
    page = await h.newPage();
  });
  after(() => (h as BrowserHarness | undefined)?.close());

  async function visit(path: string, label: string, status = 200) {
    const response = await page.goto(h.baseUrl + path);
    assert.equal(response?.status(), status, label);
    await assertNoAxeViolations(page, label);
  }

  /** Submits the form by its button; `statuses` are the navigations' answers (a 303 and then its page). */
  async function submitForm(button: string, label: string, statuses: number[]) {
    assert.deepEqual(
      await actAndLoad(page, () => page.getByRole('button', { name: button }).click()),
      statuses,
      label,
    );
    await assertNoAxeViolations(page, label);
  }

  it('has no WCAG 2.1 A/AA violations on any page or error state', async () => {
    await visit('/beheer', 'home with admin links');
    await visit('/beheer/gebruikers/uitnodigen', 'invite form');
    await submitForm('Uitnodiging versturen', 'invite form with errors', [400]);
    assert.equal(await page.locator('[data-error-summary]').count(), 1);
    await page.fill('#f-display_name', 'Sanne de Vries');
    await page.fill('#f-email', 'sanne@example.org');
    await page.check('#f-role-advisor');
    await submitForm('Uitnodiging versturen', 'user list after inviting', [303, 200]);
    await visit('/beheer/gebruikers', 'user list');
    await page.getByRole('link', { name: 'Sanne de Vries' }).click();
    await page.waitForLoadState();
    await assertNoAxeViolations(page, 'user page');
    await visit('/beheer/teams', 'teams');
    await submitForm('Team aanmaken', 'teams with error', [400]);
    await visit('/beheer/audit', 'audit search');
    await visit('/beheer/audit?van=gisteren', 'audit search with error', 400);
    await visit('/en/beheer/audit', 'audit search in English');

    const printed: string[] = [];
    const run = await deliverDueMail(h.testApp.database.db, {
      rootKey: h.testApp.config.secrets.secretKey,
      transport: consoleTransport((text) => printed.push(text)),
      from: h.testApp.config.mail.from,
    });
    assert.equal(run.sent, 1);
    const link = /\/beheer\/uitnodiging\/[A-Za-z0-9_-]{43}/.exec(printed.join(''))?.[0];
    assert.ok(link);
    const invitee = await h.newContext();
    page = await invitee.newPage();
    await visit(link, 'invitation form');
    await page.fill('#f-password', 'qwertyuiopasdfgh');
    await page.fill('#f-password_repeat', 'iets anders');
    await submitForm('Wachtwoord opslaan en verder', 'invitation form with errors', [400]);
    assertNoConsoleErrors(h, 0);
    const before404 = h.consoleErrors.length;
    await visit('/beheer/uitnodiging/onbekend', 'invalid link', 404);
    // The browser reports the 404 status itself; nothing else may appear.
    assert.ok(h.consoleErrors.slice(before404).every((e) => /status of 404/.test(e)));
    await visit('/beheer/wachtwoord-herstellen/klaar', 'reset done');
    h.assertNoForeignRequests(0, 'the account pages');
  });
});
