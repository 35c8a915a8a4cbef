import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { assertNoConsoleErrors, h1, tabTo } from '../../test/keyboard.ts';
import { createStaffUser, type StaffUser } from '../../test/staff.ts';
import { createStaffSession } from '../auth/session-service.ts';

const ACTION_TIMEOUT_MS = 5_000;

/**
 * Passkeys in a real Chromium with its virtual authenticator (CDP WebAuthn domain: a CTAP2 platform
 * authenticator that holds discoverable credentials and verifies the user), by keyboard only: add a
 * passkey on the account page, sign out, and sign in with the login page's passkey button; axe on
 * each page. WebAuthn does not accept an IP address as RP ID, so the pages are opened on
 * http://localhost:<port>, which is also what PUBLIC_URL says (the RP ID and origin come from it).
 */
describe('passkeys in a browser', { timeout: 90_000 }, () => {
  let h: BrowserHarness;
  let base: string;
  let user: StaffUser;

  before(async () => {
    h = await startBrowserHarness();
    h.context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    base = `http://localhost:${new URL(h.baseUrl).port}`;
    h.testApp.config.publicUrl = base;
    // The harness blocks every origin but 127.0.0.1:<port>; localhost is the same server.
    await h.context.route(`${base}/**`, (route) => route.continue());
    user = await createStaffUser(h.testApp.app, 'advisor');
  });
  after(() => (h as BrowserHarness | undefined)?.close());

  async function withVirtualAuthenticator(page: Page): Promise<void> {
    const cdp = await h.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  }

  it('adds a passkey and signs in with it, by keyboard, with no accessibility violations', async () => {
    const firstError = h.consoleErrors.length;
    const session = await createStaffSession(h.testApp.database.db, user.id, 'full');
    await h.context.addCookies([{ name: 'baken_staff', value: session, url: base }]);
    const page = await h.newPage();
    await withVirtualAuthenticator(page);

    await page.goto(`${base}/beheer`);
    await tabTo(page, (f) => f.tag === 'A' && f.text === 'Uw passkeys');
    await Promise.all([page.waitForURL(`${base}/beheer/account/passkeys`), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Passkeys');
    assert.equal(await page.isVisible('[data-passkey="register"]'), true, 'shown with JavaScript');
    assert.equal(await page.isVisible('[data-passkey-unsupported]'), false);
    await assertNoAxeViolations(page, 'passkeys page');

    await tabTo(page, (f) => f.id === 'f-name');
    await page.keyboard.type('Laptop werk');
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Passkey toevoegen');
    await Promise.all([
      page.waitForURL(/\/beheer\/account\/passkeys\?toegevoegd$/),
      page.keyboard.press('Enter'),
    ]);
    assert.match((await page.textContent('[data-passkeys]')) ?? '', /Laptop werk/);
    await assertNoAxeViolations(page, 'passkeys page with a passkey');

    await page.goto(`${base}/beheer`);
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Uitloggen');
    await Promise.all([page.waitForURL(/\/beheer\/inloggen\?uitgelogd$/), page.keyboard.press('Enter')]);
    await assertNoAxeViolations(page, 'login page with the passkey button');
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Inloggen met een passkey');
    await Promise.all([page.waitForURL(`${base}/beheer`), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Back office');

    const success = await h.testApp.database.db
      .selectFrom('audit_event')
      .select('details')
      .where('actor_user_id', '=', user.id)
      .where('action', '=', 'login.success')
      .execute();
    assert.deepEqual(
      success.map((e) => e.details),
      [{ method: 'passkey' }],
    );
    const elsewhere = h.requests.filter((r) => !r.url.startsWith(`${base}/`) && !/^(data|blob):/.test(r.url));
    assert.deepEqual(
      elsewhere.map((r) => r.url),
      [],
      'nothing from another origin',
    );
    assertNoConsoleErrors(h, firstError);
    await page.close();
  });

  it('without JavaScript: no passkey button, password sign-in as before', async () => {
    const context = await h.newContext({ javaScriptEnabled: false });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    await context.route(`${base}/**`, (route) => route.continue());
    const page = await context.newPage();
    await page.goto(`${base}/beheer/inloggen`);
    assert.equal(await page.isVisible('[data-passkey]'), false);
    assert.equal(await page.isVisible('#f-password'), true);
    await context.close();
  });
});
