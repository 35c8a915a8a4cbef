import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import {
  assertNoConsoleErrors,
  escapeRegExp,
  focused,
  h1,
  pressAndLoad,
  tabTo,
  type Focused,
} from '../../test/keyboard.ts';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { ensureSetupLink } from '../setup/setup-service.ts';

const ACTION_TIMEOUT_MS = 5_000;

const NAME = 'Sanne de Vries';
const EMAIL = 'sanne@example.org';
const PASSWORD = 'een lange zin als wachtwoord';

const LOGIN_FAILED =
  'Het e-mailadres of het wachtwoord klopt niet, of uw account is geblokkeerd. Na 10 mislukte pogingen ' +
  'op rij wordt een account geblokkeerd. Lukt inloggen niet, neem dan contact op met een beheerder.';

/**
 * The back office's sign-in pages as the first administrator goes through them, in a real browser and
 * by keyboard only: the setup link, the login page, TOTP enrolment, the recovery codes, the home page,
 * signing out and in again; every page and every error state through axe-core's WCAG 2.1 A/AA rules,
 * nothing loaded from another origin and no console or CSP errors. Then the login page without
 * JavaScript. One app and one Chromium for the file; the tests build on each other and run in order.
 */
describe('staff sign-in pages in a browser', { timeout: 60_000 }, () => {
  let h: BrowserHarness;
  /** Set by the first test once the administrator exists. */
  let created = false;

  before(async () => {
    h = await startBrowserHarness();
    // A missing element fails the test in seconds instead of Playwright's 30.
    h.context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  });
  // `h` is unset when the harness failed to start; that failure is the one to report.
  after(() => (h as BrowserHarness | undefined)?.close());

  it('keyboard only, with JavaScript: setup link, sign-in, TOTP enrolment, home, and sign-in again', async () => {
    const firstRequest = h.requests.length;
    const firstError = h.consoleErrors.length;
    const link = await ensureSetupLink(h.testApp.database.db, h.testApp.config.publicUrl);
    assert.ok(link, 'a fresh app without administrator hands out a setup link');
    const setupPath = new URL(link).pathname;
    assert.match(setupPath, /^\/setup\/[A-Za-z0-9_-]{43}$/);

    const page = await h.newPage();
    try {
      // --- the setup form -------------------------------------------------------------------------
      const first = await page.goto(h.baseUrl + setupPath);
      assert.ok(first);
      assert.equal(first.status(), 200);
      // Console errors include CSP violations only when there is a policy to violate.
      const headers = await first.allHeaders();
      assert.match(headers['content-security-policy'] ?? '', /script-src/);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await h1(page), 'Eerste beheerder aanmaken');
      await assertNoAxeViolations(page, 'setup form');

      // Submitted empty: every field has an error, and the summary has focus.
      await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Beheerder aanmaken');
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [400], 'the empty form is refused');
      await assertErrorState(page, 'Eerste beheerder aanmaken', [
        ['Vul uw naam in.', '#f-display_name'],
        ['Vul uw e-mailadres in.', '#f-email'],
        ['Vul een wachtwoord in.', '#f-password'],
        ['Vul het wachtwoord nog een keer in.', '#f-password_repeat'],
      ]);
      for (const field of ['display_name', 'email', 'password', 'password_repeat']) {
        assert.equal(await page.getAttribute(`#f-${field}`, 'aria-invalid'), 'true', `${field} is invalid`);
        assert.match(
          (await page.getAttribute(`#f-${field}`, 'aria-describedby')) ?? '',
          new RegExp(`\\bf-${field}-error\\b`),
          `${field} is described by its error message`,
        );
      }
      await assertNoAxeViolations(page, 'setup form with errors');

      // From the summary's first link to the name field, then field by field with Tab.
      await followFirstSummaryLink(page, 'f-display_name');
      await page.keyboard.type(NAME);
      await tabTo(page, (f) => f.id === 'f-email', 1);
      await page.keyboard.type(EMAIL);
      await tabTo(page, (f) => f.id === 'f-password', 1);
      await page.keyboard.type(PASSWORD);
      await tabTo(page, (f) => f.id === 'f-password_repeat', 1);
      await page.keyboard.type(PASSWORD);
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [303, 200], 'Enter in the last field submits');
      assert.equal(page.url(), `${h.baseUrl}/setup/klaar`);
      assert.equal(await h1(page), 'Het beheerdersaccount is aangemaakt');
      const admin = await h.testApp.database.db
        .selectFrom('staff_user')
        .select(['display_name', 'role'])
        .where('email', '=', EMAIL)
        .executeTakeFirst();
      assert.deepEqual(admin, { display_name: NAME, role: 'admin' });
      created = true;
      await assertNoAxeViolations(page, 'setup done page');

      // --- the login page ---------------------------------------------------------------------------
      await tabTo(page, (f) => f.tag === 'A' && f.text === 'Naar inloggen');
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [200]);
      assert.equal(page.url(), `${h.baseUrl}/beheer/inloggen`);
      assert.equal(await h1(page), 'Inloggen');
      await assertNoAxeViolations(page, 'login page');

      await tabTo(page, (f) => f.id === 'f-email');
      await page.keyboard.type(EMAIL);
      await tabTo(page, (f) => f.id === 'f-password', 1);
      await page.keyboard.type('niet het wachtwoord');
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [400], 'a wrong password is refused');
      await assertErrorState(page, 'Inloggen', [[LOGIN_FAILED, null]]);
      assert.equal(await page.inputValue('#f-email'), EMAIL, 'the e-mail address is kept');
      assert.equal(await page.inputValue('#f-password'), '', 'the password is not put back');
      await assertNoAxeViolations(page, 'login page with a wrong password');

      // The summary has no link (the error is about the form); Tab goes on into the form.
      await tabTo(page, (f) => f.id === 'f-password', 2);
      await page.keyboard.type(PASSWORD);
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [303, 200]);

      // --- TOTP enrolment ---------------------------------------------------------------------------
      assert.equal(page.url(), `${h.baseUrl}/beheer/tweestaps-instellen`);
      assert.equal(await h1(page), 'Tweestapsverificatie instellen');
      const shown = await totpSecret(page);
      await assertNoAxeViolations(page, 'TOTP enrolment page');

      await tabTo(page, (f) => f.id === 'f-code');
      await page.keyboard.type(wrongCode(shown));
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [400], 'a wrong code is refused');
      await assertErrorState(page, 'Tweestapsverificatie instellen', [
        ['Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu laat zien.', '#f-code'],
      ]);
      assert.equal(await page.getAttribute('#f-code', 'aria-invalid'), 'true');
      assert.equal(await totpSecret(page), shown, 'the error page shows the same secret');
      await assertNoAxeViolations(page, 'TOTP enrolment page with a wrong code');

      await followFirstSummaryLink(page, 'f-code');
      await page.keyboard.type(totpAt(shown, Date.now()));
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [200], 'the code is accepted');

      // --- recovery codes and the home page ---------------------------------------------------------
      assert.equal(await h1(page), 'Uw herstelcodes');
      const codes = await page.locator('[data-recovery-codes] li code').allTextContents();
      assert.equal(codes.length, 10, 'ten recovery codes are shown');
      assert.equal(new Set(codes).size, 10);
      await assertNoAxeViolations(page, 'recovery codes page');

      await tabTo(page, (f) => f.tag === 'A' && f.text === 'Ik heb de codes bewaard, ga verder');
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [200]);
      assert.equal(page.url(), `${h.baseUrl}/beheer`);
      assert.equal(await h1(page), 'Back office');
      assert.equal(
        (await page.textContent('[data-signed-in-as]'))?.trim(),
        `U bent ingelogd als ${NAME}, met de rol beheerder.`,
      );
      await assertNoAxeViolations(page, 'back office home');

      // --- sign out, and in again -------------------------------------------------------------------
      await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Uitloggen');
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [303, 200]);
      assert.equal(page.url(), `${h.baseUrl}/beheer/inloggen?uitgelogd`);
      assert.equal((await page.textContent('[role="status"]'))?.trim(), 'U bent uitgelogd.');
      await assertNoAxeViolations(page, 'login page after signing out');

      await tabTo(page, (f) => f.id === 'f-email');
      assert.equal(await page.inputValue('#f-email'), '', 'nothing is filled in after signing out');
      await page.keyboard.type(EMAIL);
      await tabTo(page, (f) => f.id === 'f-password', 1);
      await page.keyboard.type(PASSWORD);
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [303, 200]);
      assert.equal(page.url(), `${h.baseUrl}/beheer/tweestaps`, 'enrolled: asked for a code, not enrolment');
      assert.equal(await h1(page), 'Code invullen');
      await assertNoAxeViolations(page, 'second-factor page');

      await tabTo(page, (f) => f.id === 'f-code');
      await page.keyboard.type(wrongCode(shown));
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [400], 'a wrong code is refused');
      await assertErrorState(page, 'Code invullen', [
        [
          'Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu laat zien, of een ' +
            'herstelcode die u nog niet heeft gebruikt.',
          '#f-code',
        ],
      ]);
      await assertNoAxeViolations(page, 'second-factor page with a wrong code');

      // Each 30-second step works once and enrolment may have used the current one, so this is the code
      // of the next step: a phone clock a little ahead, which the one step of allowed drift accepts.
      await followFirstSummaryLink(page, 'f-code');
      await page.keyboard.type(totpAt(shown, Date.now() + 30_000));
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [303, 200], 'the code is accepted');
      assert.equal(page.url(), `${h.baseUrl}/beheer`);
      assert.equal(await h1(page), 'Back office');

      assertRequestsRecorded(h, firstRequest, ['stylesheet', 'script']);
      h.assertNoForeignRequests(firstRequest, 'the staff sign-in journey');
      assertNoConsoleErrors(h, firstError);
    } finally {
      await page.close();
    }
  });

  it('the login page works without JavaScript', async () => {
    assert.ok(created, 'needs the administrator created by the keyboard journey');
    const firstRequest = h.requests.length;
    const firstError = h.consoleErrors.length;
    const context = await h.newContext({ javaScriptEnabled: false });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      assert.equal((await page.goto(`${h.baseUrl}/beheer/inloggen`))?.status(), 200);
      assert.equal(await h1(page), 'Inloggen');

      await page.focus('#f-email');
      await page.keyboard.type(EMAIL);
      await page.keyboard.press('Tab');
      await page.keyboard.type('niet het wachtwoord');
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [400], 'a wrong password is refused');
      assert.equal(page.url(), `${h.baseUrl}/beheer/inloggen`);
      assert.match(await page.title(), /^Fout: Inloggen \| /);
      const summary = page.locator('[data-error-summary]');
      assert.equal(await summary.count(), 1);
      assert.ok(await summary.isVisible(), 'the error summary is shown');
      assert.deepEqual(
        (await summary.locator('li').allTextContents()).map((s) => s.trim()),
        [LOGIN_FAILED],
      );
      // Proof that no script ran: with JavaScript, public/js/forms.js would have focused the summary.
      assert.equal(await page.locator('[data-error-summary]:focus').count(), 0);
      assert.equal(await page.inputValue('#f-email'), EMAIL, 'the e-mail address is kept');
      assert.equal(await page.inputValue('#f-password'), '', 'the password is not put back');

      // And the right password gets through to the second step.
      await page.focus('#f-password');
      await page.keyboard.type(PASSWORD);
      assert.deepEqual(await pressAndLoad(page, 'Enter'), [303, 200]);
      assert.equal(page.url(), `${h.baseUrl}/beheer/tweestaps`);
      assert.equal(await h1(page), 'Code invullen');

      assertRequestsRecorded(h, firstRequest, ['stylesheet']);
      assert.ok(
        !h.requests.slice(firstRequest).some((r) => r.resourceType === 'script'),
        'no script was loaded',
      );
      h.assertNoForeignRequests(firstRequest, 'the login page without JavaScript');
      assertNoConsoleErrors(h, firstError);
    } finally {
      await context.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------

/**
 * Presses a key that submits a form or follows a link and waits until the next page has loaded; answers
 * the statuses of the main document's responses on the way (a redirect, then the page).
 */

/**
 * A form shown again with errors: "Fout:" in the title, the error summary focused (by our script) and
 * listing `expected` as [message, link target] in order (no link for an error about the whole form).
 */
async function assertErrorState(
  page: Page,
  title: string,
  expected: [message: string, href: string | null][],
): Promise<void> {
  assert.match(await page.title(), new RegExp(`^Fout: ${escapeRegExp(title)} \\| `));
  const now = await focused(page);
  assert.ok(now.errorSummary, `the error summary has focus, not ${now.html}`);
  assert.equal(await page.getAttribute('[data-error-summary]', 'role'), 'alert');
  const items = page.locator('[data-error-summary] li');
  const actual: [string, string | null][] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const item = items.nth(i);
    const link = item.locator('a');
    actual.push([
      ((await item.textContent()) ?? '').trim(),
      (await link.count()) > 0 ? await link.getAttribute('href') : null,
    ]);
  }
  assert.deepEqual(actual, expected, 'the error summary');
  for (const [message, href] of expected) {
    if (href) assert.equal((await page.textContent(`${href}-error`))?.trim(), message, `${href}'s message`);
  }
}

/** From the focused error summary, Tab to its first link and follow it: focus lands on the field. */
async function followFirstSummaryLink(page: Page, fieldId: string): Promise<void> {
  const link = await focusedAfterTab(page);
  assert.equal(link.href, `#${fieldId}`, `Tab from the summary reaches its first link, not ${link.html}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((hash) => globalThis.location.hash === hash, `#${fieldId}`);
  const field = await focused(page);
  assert.equal(field.id, fieldId, `the link puts focus on its field, not on ${field.html}`);
}

async function focusedAfterTab(page: Page): Promise<Focused> {
  await page.keyboard.press('Tab');
  return focused(page);
}

/** The secret as the page shows it (base32 in groups of four), without the spaces. */
async function totpSecret(page: Page): Promise<string> {
  const secret = page.locator('[data-totp-secret]');
  assert.equal(await secret.count(), 1, 'the page shows the secret as text');
  const grouped = ((await secret.textContent()) ?? '').trim();
  assert.match(grouped, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, 'base32 in groups of four');
  const base32 = grouped.replace(/ /g, '');
  const uri = await page.getAttribute('[data-totp-uri]', 'href');
  assert.match(uri ?? '', new RegExp(`^otpauth://totp/[^?]*\\?(.*&)?secret=${base32}(&|$)`));
  return base32;
}

function totpAt(base32: string, timestamp: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(base32),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp,
  });
}

/** Six digits that are not the code of any step the server accepts in the next minute. */
function wrongCode(base32: string): string {
  const now = Date.now();
  const valid = new Set([-30_000, 0, 30_000, 60_000].map((offset) => totpAt(base32, now + offset)));
  const code = ['000000', '111111', '222222', '333333', '444444'].find((c) => !valid.has(c));
  if (!code) throw new Error('no wrong code found');
  return code;
}

/** The recording works: this part made requests, of (at least) these kinds, all to our own origin. */
function assertRequestsRecorded(h: BrowserHarness, from: number, kinds: string[]): void {
  const made = h.requests.slice(from);
  for (const kind of ['document', ...kinds]) {
    assert.ok(
      made.some((r) => r.resourceType === kind && r.url.startsWith(`${h.baseUrl}/`)),
      `a ${kind} request was recorded`,
    );
  }
}
