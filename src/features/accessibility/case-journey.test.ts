import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { assertNoConsoleErrors, h1, pressAndLoad, tabTo } from '../../test/keyboard.ts';
import { STAFF_PASSWORD, signInAsStaff, totpNow, type SignedInStaff } from '../../test/staff.ts';
import { submitReport } from '../intake/intake-service.ts';
import { deriveReceiptCode, formatReceiptCode } from '../intake/receipt.ts';

const ACTION_TIMEOUT_MS = 5_000;
/** The case page holds several forms; Tab may have a long way to go. */
const MANY_TABS = 250;

const NARRATIVE = 'De buurjongen werkt elke nacht in een kas en zijn paspoort is afgepakt.';
const CASE_TITLE = 'Kas aan de rand van Enschede';
const REMARK = 'Hij zei dit zelf tegen de melder.';
const REPLY = 'Dank voor uw melding. Wij nemen contact op met een hulpverlener in uw buurt.';
const ANSWER = 'Dank u. Hij is er vannacht weer.';

/**
 * The journey, by keyboard only in Chromium, with axe on every page: an advisor signs in with
 * password and TOTP, opens the inbox, makes a case from a report, ticks an indicator with a remark,
 * replies to the reporter from the case; the anonymous reporter then signs in to their mailbox with
 * their receipt code, reads the reply and answers, and the answer shows on the case. Nothing is loaded from another origin, no console errors.
 */
describe('from report to reply, by keyboard', { timeout: 180_000 }, () => {
  let h: BrowserHarness;
  let advisor: SignedInStaff;
  let reportId: string;
  let receiptCode: string;

  before(async () => {
    h = await startBrowserHarness();
    h.context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    const { app, database, config } = h.testApp;
    // An advisor who enrolled TOTP earlier (its last used code is long past).
    advisor = await signInAsStaff(app, 'advisor', { displayName: 'Sanne Adviseur' });
    await database.db.updateTable('staff_totp').set({ last_used_step: null }).execute();
    const submissionKey = randomUUID();
    ({ reportId } = await submitReport(database.db, config.secrets, {
      form: {
        acute_danger: 'no',
        audience: 'environment',
        exploitation_forms: ['labour'],
        municipality: 'GM0153',
        narrative: NARRATIVE,
        reply_channel: 'receipt',
        consent: 'yes',
      },
      submissionKey,
      language: 'nl',
      consentVersion: config.intake.consentVersion,
      files: [],
    }));
    receiptCode = formatReceiptCode(deriveReceiptCode(config.secrets.secretKey, submissionKey));
  });
  after(() => (h as BrowserHarness | undefined)?.close());

  async function arrive(page: Page, key: string, statuses: number[], heading: RegExp, label: string) {
    assert.deepEqual(await pressAndLoad(page, key), statuses, label);
    assert.match(await h1(page), heading, label);
    await assertNoAxeViolations(page, label);
  }

  it('advisor: sign in with TOTP, inbox, case from the report, indicator, reply; reporter reads it', async () => {
    const firstRequest = h.requests.length;
    const firstError = h.consoleErrors.length;
    const page = await h.newPage();

    // --- sign in: password, then the code of the authenticator app --------------------------------
    await page.goto(`${h.baseUrl}/beheer/inloggen`);
    await assertNoAxeViolations(page, 'login page');
    await tabTo(page, (f) => f.id === 'f-email');
    await page.keyboard.type(advisor.user.email);
    await tabTo(page, (f) => f.id === 'f-password', 1);
    await page.keyboard.type(STAFF_PASSWORD);
    await arrive(page, 'Enter', [303, 200], /./, 'second-factor page');
    assert.equal(new URL(page.url()).pathname, '/beheer/tweestaps');
    await tabTo(page, (f) => f.id === 'f-code');
    await page.keyboard.type(totpNow(advisor.totpSecret));
    await arrive(page, 'Enter', [303, 200], /./, 'staff home');
    assert.equal(new URL(page.url()).pathname, '/beheer');

    // --- the inbox and the report --------------------------------------------------------------------
    await tabTo(page, (f) => f.tag === 'A' && f.text === 'Meldingen');
    await arrive(page, 'Enter', [200], /Meldingen/, 'inbox');
    await tabTo(
      page,
      (f) => f.tag === 'A' && (f.href ?? '').endsWith(`/beheer/meldingen/${reportId}`),
      MANY_TABS,
    );
    await arrive(page, 'Enter', [200], /./, 'report page');
    assert.ok((await page.textContent('main'))?.includes(NARRATIVE), 'the report page shows the narrative');

    // --- a case from the report ------------------------------------------------------------------------
    await tabTo(page, (f) => f.id === 'f-title', MANY_TABS);
    await page.keyboard.type(CASE_TITLE);
    await arrive(page, 'Enter', [303, 200], /./, 'new case page');
    const casePath = new URL(page.url()).pathname;
    assert.match(casePath, /^\/beheer\/casussen\/[0-9a-f-]{36}$/);
    const made = await h.testApp.database.db
      .selectFrom('case_file')
      .innerJoin('case_report', 'case_report.case_id', 'case_file.id')
      .select(['case_file.title', 'case_file.assigned_user_id'])
      .where('case_report.report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(made, { title: CASE_TITLE, assigned_user_id: advisor.user.id });

    // --- tick an indicator, with a remark ----------------------------------------------------------------
    await tabTo(page, (f) => f.tag === 'A' && f.text === 'Signalen', MANY_TABS);
    await arrive(page, 'Enter', [200], /Signalen/, 'indicator checklist');
    const ticked = await tabTo(page, (f) => f.tag === 'INPUT' && (f.name ?? '').startsWith('present_'));
    const code = (ticked.name ?? '').slice('present_'.length);
    await page.keyboard.press('Space');
    await tabTo(page, (f) => f.name === `remark_${code}`, 1);
    await page.keyboard.type(REMARK);
    // Enter in the remark's text field submits the checklist.
    await arrive(page, 'Enter', [303, 200], /Signalen/, 'checklist saved');
    assert.match((await page.textContent('main')) ?? '', /Opgeslagen: 1 signaal gewijzigd\./);
    const assessments = await h.testApp.database.db
      .selectFrom('indicator_assessment')
      .select(['code', 'present', 'remark', 'assessed_by'])
      .execute();
    assert.deepEqual(assessments, [{ code, present: true, remark: REMARK, assessed_by: advisor.user.id }]);

    // --- reply to the reporter from the case ------------------------------------------------------------
    await tabTo(page, (f) => f.tag === 'A' && f.text === 'Overzicht', MANY_TABS);
    await arrive(page, 'Enter', [200], /./, 'case page');
    await tabTo(page, (f) => f.id === 'f-reply_body', MANY_TABS);
    await page.keyboard.type(REPLY);
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Antwoord versturen', 3);
    await arrive(page, 'Enter', [303, 200], /./, 'case page after the reply');
    assert.equal(new URL(page.url()).pathname, casePath);

    // --- the reporter reads it with the receipt code --------------------------------------------------
    const reporterContext = await h.newContext();
    try {
      const reporter = await reporterContext.newPage();
      await reporter.goto(`${h.baseUrl}/mijn-melding`);
      await assertNoAxeViolations(reporter, 'mailbox login');
      await tabTo(reporter, (f) => f.id === 'f-code');
      await reporter.keyboard.type(receiptCode);
      await arrive(reporter, 'Enter', [303, 200], /./, 'mailbox');
      assert.ok((await reporter.textContent('main'))?.includes(REPLY), 'the reporter reads the reply');
      // … and answers it.
      await tabTo(reporter, (f) => f.id === 'f-body', MANY_TABS);
      await reporter.keyboard.type(ANSWER);
      await tabTo(reporter, (f) => f.tag === 'BUTTON' && f.text === 'Bericht versturen', 5);
      await arrive(reporter, 'Enter', [303, 200], /./, 'mailbox after answering');
      assert.ok((await reporter.textContent('main'))?.includes(ANSWER), 'the answer is in the thread');
    } finally {
      await reporterContext.close();
    }

    // --- the advisor finds the answer on the case -----------------------------------------------------
    await page.reload();
    assert.ok((await page.textContent('main'))?.includes(ANSWER), 'the case shows the answer');

    h.assertNoForeignRequests(firstRequest, 'the journey');
    assertNoConsoleErrors(h, firstError);
  });
});
