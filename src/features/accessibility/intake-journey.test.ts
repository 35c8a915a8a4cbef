import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { assertNoConsoleErrors, escapeRegExp, focused, tabTo } from '../../test/keyboard.ts';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { sendCentreReply } from '../intake/mailbox-service.ts';

const ACTION_TIMEOUT_MS = 5_000;

/**
 * The anonymous intake as a person goes through it, in a real browser: keyboard only with JavaScript,
 * reading the centre's reply with the code, and the whole flow again without JavaScript in English.
 * One app and one Chromium for the file; the tests build on each other and run in order.
 */
describe('intake journey in a browser', { timeout: 120_000 }, () => {
  let h: BrowserHarness;
  /** Set by the first test; the mailbox test reads the reply with it. */
  let journey: { code: string; narrative: string } | undefined;

  before(async () => {
    h = await startBrowserHarness();
    // A missing element fails the test in seconds instead of Playwright's 30.
    h.context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  });
  // `h` is unset when the harness failed to start; that failure is the one to report.
  after(() => (h as BrowserHarness | undefined)?.close());

  it('keyboard only, with JavaScript, in Dutch: from the home page to a receipt code', async () => {
    const firstRequest = h.requests.length;
    const firstError = h.consoleErrors.length;
    const page = await h.newPage();
    try {
      await page.goto(`${h.baseUrl}/`);

      // Home page → the call to action, by Tab and Enter.
      const cta = await tabTo(page, (f) => f.tag === 'A' && f.text === 'Hulp vragen of zorgen melden');
      assert.equal(cta.href, '/melden');
      await Promise.all([page.waitForURL(`${h.baseUrl}/melden`), page.keyboard.press('Enter')]);

      // The danger question: Tab into the group, arrow to "Nee", Tab to the button, Enter.
      const radio = await tabTo(page, (f) => f.name === 'acute_danger');
      assert.equal(radio.id, 'f-acute_danger-yes', 'Tab enters the unanswered group at its first option');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.isChecked('#f-acute_danger-no'), true, 'ArrowDown chooses "Nee"');
      assert.equal(await page.isChecked('#f-acute_danger-yes'), false);
      const next = await tabTo(page, (f) => f.tag === 'BUTTON', 3);
      assert.equal(next.text, 'Verder');
      await pressAndWaitForPage(page, 'Enter');
      assert.equal(await page.locator('h1').textContent(), 'Uw vraag of melding');
      assert.equal(await page.locator('.baken-danger').count(), 0, 'no 112 alert after "Nee"');
      // Nothing chosen yet: the questions that depend on an answer are hidden from the start.
      assert.equal(await page.isVisible('#f-professional_org_type'), false);
      await assertContactFields(page, { email: false, phone: false, hints: false, leaveMessage: false });

      // Submit the empty form: the error summary gets focus and the title says there is an error.
      await page.focus('form[data-report-form] button[type="submit"]');
      await pressAndWaitForPage(page, 'Enter');
      const summaryFocus = await focused(page);
      assert.ok(summaryFocus.errorSummary, `the error summary has focus, not ${summaryFocus.html}`);
      assert.match(await page.title(), /^Fout: /);
      const summaryLinks = page.locator('[data-error-summary] a');
      assert.deepEqual(await summaryLinks.allTextContents(), [
        'Kies wie u bent.',
        "Kies waar het over gaat. Weet u het niet? Kies dan 'Weet ik niet'.",
        "Kies een gemeente, of 'Weet ik niet'.",
        'Vertel wat er is gebeurd.',
        'Kies hoe wij u mogen antwoorden.',
        'Geef toestemming om uw melding te versturen.',
      ]);
      await assertNoAxeViolations(page, 'report form with errors (nl, JavaScript)');

      // The first summary link, by keyboard, lands on the first control of its question.
      await page.keyboard.press('Tab');
      const link = await focused(page);
      assert.equal(link.text, 'Kies wie u bent.', 'Tab from the summary reaches its first link');
      assert.equal(link.href, '#f-audience-self');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => globalThis.location.hash === '#f-audience-self');
      assert.equal(
        (await focused(page)).id,
        'f-audience-self',
        'focus is on the first radio of "Wie bent u?"',
      );

      // Fill in the form by keyboard.
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.isChecked('#f-audience-environment'), true, 'ArrowDown chose the 2nd answer');
      assert.equal(
        await page.isVisible('#f-professional_org_type'),
        false,
        'org type only for professionals',
      );
      await page.focus('#f-exploitation_forms-labour');
      await page.keyboard.press('Space');
      assert.equal(await page.isChecked('#f-exploitation_forms-labour'), true);
      await page.focus('#f-municipality');
      await page.keyboard.press('ArrowDown');
      assert.notEqual(await page.inputValue('#f-municipality'), '', 'ArrowDown picked a municipality');
      const narrative = `Toetsenbordmelding ${Date.now()}: mijn buurman moet 14 uur per dag werken.`;
      await page.focus('#f-narrative');
      await page.keyboard.type(narrative);

      await page.focus('#f-reply_channel-receipt');
      await page.keyboard.press('Space');
      assert.equal(await page.isChecked('#f-reply_channel-receipt'), true);
      await assertContactFields(page, { email: false, phone: false, hints: false, leaveMessage: false });
      await page.keyboard.press('ArrowDown'); // "Per e-mail"
      assert.equal(await page.isChecked('#f-reply_channel-email'), true);
      await assertContactFields(page, { email: true, phone: false, hints: true, leaveMessage: false });
      await page.keyboard.press('ArrowUp'); // back to "Anoniem, met een code"
      assert.equal(await page.isChecked('#f-reply_channel-receipt'), true);
      await assertContactFields(page, { email: false, phone: false, hints: false, leaveMessage: false });

      await page.setInputFiles('#f-files', {
        name: 'foto.png',
        mimeType: 'image/png',
        buffer: await tinyPng(),
      });
      await page.focus('#f-consent-yes');
      await page.keyboard.press('Space');
      assert.equal(await page.isChecked('#f-consent-yes'), true);

      await page.focus('form[data-report-form] button[type="submit"]');
      await pressAndWaitForPage(page, 'Enter');
      assert.equal(page.url(), `${h.baseUrl}/melden/ontvangen`);
      const code = await receiptCode(page);
      await assertNoAxeViolations(page, 'confirmation page (nl)');
      journey = { code, narrative };

      h.assertNoForeignRequests(firstRequest, 'the keyboard journey');
      assertNoConsoleErrors(h, firstError);
    } finally {
      await page.close();
    }
  });

  it('reads the centre reply with the code in a fresh browser, answers it, and closes and wipes', async () => {
    assert.ok(journey, 'needs the report of the keyboard journey');
    const { db } = h.testApp.database;
    const report = await db
      .selectFrom('report')
      .select('id')
      .where('narrative', '=', journey.narrative)
      .executeTakeFirstOrThrow();
    const reply = 'Dank voor uw melding. In welke plaats werkt uw buurman?';
    await sendCentreReply(db, h.testApp.config.secrets.encryptionKeys, {
      reportId: report.id,
      body: reply,
      authorUserId: null,
    });

    const firstRequest = h.requests.length;
    const firstError = h.consoleErrors.length;
    const context = await h.newContext();
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(`${h.baseUrl}/mijn-melding`);

      // A wrong code first: the error state must be accessible too.
      await page.focus('#f-code');
      await page.keyboard.type('0000000000000000');
      await pressAndWaitForPage(page, 'Enter');
      assert.match(await page.title(), /^Fout: /);
      assert.ok((await focused(page)).errorSummary, 'the error summary has focus');
      assert.equal(
        (await page.textContent('#f-code-error'))?.trim(),
        'Deze code kennen wij niet. Kijk de cijfers na en probeer het opnieuw.',
      );
      assert.equal(await page.inputValue('#f-code'), '', 'the code is not put back into the field');
      await assertNoAxeViolations(page, 'mailbox login with a wrong code (nl)');

      // The real code, typed without spaces.
      await page.focus('#f-code');
      await page.keyboard.type(journey.code.replace(/ /g, ''));
      await pressAndWaitForPage(page, 'Enter');
      assert.equal(page.url(), `${h.baseUrl}/mijn-melding/berichten`);
      assert.equal(await page.locator('h1').textContent(), 'Uw berichten');
      assert.equal(
        await page.locator('#report-heading ~ .baken-message__body').textContent(),
        journey.narrative,
      );
      assert.match(
        (await page.textContent('section[aria-labelledby="report-heading"]')) ?? '',
        /1 bijlage/,
        'the photo sent with the report is counted',
      );
      const centre = page.locator('.baken-thread .baken-message--centre');
      assert.equal(await centre.count(), 1);
      assert.equal(await centre.locator('.baken-message__body').textContent(), reply);
      assert.match((await centre.locator('h3').textContent()) ?? '', /^Van ons, /);
      await assertNoAxeViolations(page, 'mailbox with a reply (nl)');

      // A message back, by keyboard: type, Tab past the file field to the button, Enter.
      const answer = 'Hij werkt in de kassen bij het dorp.';
      await page.focus('#f-body');
      await page.keyboard.type(answer);
      const send = await tabTo(page, (f) => f.tag === 'BUTTON', 3);
      assert.equal(send.text, 'Bericht versturen');
      await pressAndWaitForPage(page, 'Enter');
      assert.equal(page.url(), `${h.baseUrl}/mijn-melding/berichten?verzonden`);
      assert.equal((await page.textContent('[role="status"]'))?.trim(), 'Uw bericht is verstuurd.');
      assert.equal(
        await page.locator('.baken-thread .baken-message--reporter .baken-message__body').textContent(),
        answer,
      );

      // Close and wipe: home page, the Clear-Site-Data header, no cookies left, the session is gone.
      const closing = page.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url() === `${h.baseUrl}/mijn-melding/sluiten`,
      );
      await page.getByRole('button', { name: 'Afsluiten en wissen' }).click();
      const closeResponse = await closing;
      assert.equal(closeResponse.status(), 303);
      assert.equal((await closeResponse.allHeaders())['clear-site-data'], '"cache", "cookies", "storage"');
      await page.waitForURL(`${h.baseUrl}/`);
      assert.deepEqual(
        (await context.cookies()).map((c) => c.name),
        [],
        'no cookie is left after closing',
      );
      const sessions = await db
        .selectFrom('mailbox_session')
        .select('id_hash')
        .where('report_id', '=', report.id)
        .execute();
      assert.equal(sessions.length, 0, 'the mailbox session is removed on the server');
      await page.goto(`${h.baseUrl}/mijn-melding/berichten`);
      assert.equal(page.url(), `${h.baseUrl}/mijn-melding`, 'the mailbox asks for the code again');
      assert.equal(await page.locator('h1').textContent(), 'Ik heb al een code');

      h.assertNoForeignRequests(firstRequest, 'the mailbox journey');
      assertNoConsoleErrors(h, firstError);
    } finally {
      await context.close();
    }
  });

  it('works without JavaScript, in English, with "Yes" to danger and a refused file', async () => {
    const firstRequest = h.requests.length;
    const context = await h.newContext({ javaScriptEnabled: false });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(`${h.baseUrl}/en/melden`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.check('#f-acute_danger-yes');
      await Promise.all([
        page.waitForURL(`${h.baseUrl}/en/melden`),
        page.getByRole('button', { name: 'Continue' }).click(),
      ]);

      // "Call 112 now" comes before the form's heading.
      assert.equal(await page.locator('h1').textContent(), 'Your question or report');
      assert.equal(await page.locator('.baken-danger h2').textContent(), 'Call 112 now');
      assert.ok(await precedes(page, '.baken-danger', 'main h1'), 'the 112 alert is above the heading');

      // Without JavaScript nothing is hidden: every question can be answered.
      for (const selector of [
        '#f-professional_org_type',
        '#f-contact_name',
        '#f-contact_email',
        '#f-contact_phone',
        '#f-safe_contact_hints',
        '#f-may_leave_message-yes',
      ]) {
        assert.equal(await page.isVisible(selector), true, `${selector} is visible without JavaScript`);
      }

      const narrative = `No-script report ${Date.now()}: workers sleep in the greenhouse.`;
      await page.check('#f-audience-self');
      await page.check('#f-exploitation_forms-unknown');
      await page.selectOption('#f-municipality', 'unknown');
      await page.fill('#f-narrative', narrative);
      await page.check('#f-reply_channel-receipt');
      await page.check('#f-consent-yes');
      await page.setInputFiles('#f-files', {
        name: 'photo.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.from('This is text, not a photo.\n'),
      });
      assert.equal(await submitReportForm(page), 400, 'the report with a text file is refused');
      assert.equal(await reportsWith(h, narrative), 0, 'nothing is stored while there is an error');

      assert.match(await page.title(), /^Error: /);
      const fileError =
        'photo.jpg: we cannot accept this kind of file. Send a photo (JPG, PNG, WebP or GIF) or a PDF.';
      assert.deepEqual(await page.locator('[data-error-summary] a').allTextContents(), [
        `${fileError} Your files have not been sent yet. Please choose them again.`,
      ]);
      assert.equal(await page.getAttribute('[data-error-summary] a', 'href'), '#f-files');
      assert.match(
        (await page.textContent('#f-files-error')) ?? '',
        new RegExp(`^${escapeRegExp(fileError)}`),
      );
      assert.equal(await page.getAttribute('#f-files', 'aria-invalid'), 'true');
      assert.match((await page.getAttribute('#f-files', 'aria-describedby')) ?? '', /\bf-files-error\b/);
      assert.equal(await page.inputValue('#f-narrative'), narrative, 'the typed story is kept');
      assert.equal(await page.isChecked('#f-audience-self'), true);
      assert.equal(await page.isChecked('#f-consent-yes'), true);
      assert.equal(await page.locator('.baken-danger').count(), 1, 'the 112 alert is still shown');
      await assertNoAxeViolationsWithoutScript(h, page, 'report form with a file error (en, no JavaScript)');

      // Again without the file.
      assert.equal(await submitReportForm(page), 303, 'the report is accepted');
      assert.equal(page.url(), `${h.baseUrl}/en/melden/ontvangen`);
      await receiptCode(page);
      assert.equal(await reportsWith(h, narrative), 1);
      h.assertNoForeignRequests(firstRequest, 'the journey without JavaScript');
    } finally {
      await context.close();
    }
  });

  it('after "Ja", the 112 alert is the first thing in the main content, and the first link in it', async () => {
    const page = await h.newPage();
    try {
      await page.goto(`${h.baseUrl}/melden`);
      await tabTo(page, (f) => f.id === 'f-acute_danger-yes');
      await page.keyboard.press('Space');
      assert.equal(await page.isChecked('#f-acute_danger-yes'), true);
      await tabTo(page, (f) => f.tag === 'BUTTON', 3);
      await pressAndWaitForPage(page, 'Enter');

      const first = await page.evaluate(() => {
        interface El {
          firstElementChild: El | null;
          className: string;
          getAttribute(name: string): string | null;
          querySelector(selector: string): El | null;
          textContent: string | null;
        }
        const main = (
          globalThis as unknown as { document: { querySelector(s: string): El | null } }
        ).document.querySelector('main');
        const child = main?.firstElementChild ?? null;
        return {
          className: child?.className ?? '(none)',
          role: child?.getAttribute('role') ?? null,
          heading: child?.querySelector('h2')?.textContent ?? null,
          tel: child?.querySelector('a[href="tel:112"]')?.textContent ?? null,
        };
      });
      assert.match(first.className, /\bbaken-danger\b/, `main starts with ${first.className}`);
      assert.equal(first.role, 'alert');
      assert.equal(first.heading, 'Bel nu 112');
      assert.equal(first.tel?.trim(), '112', 'the alert holds a tel:112 link');

      // Keyboard: skip link, Enter, and the very next Tab stop is the call link.
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).href, '#main', 'the first Tab stop is the skip link');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).href, 'tel:112', 'the first Tab stop in main is the call link');
    } finally {
      await page.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------

/** Presses a key that submits a form or follows a link, and waits until the next page has loaded. */
async function pressAndWaitForPage(page: Page, key: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press(key)]);
}

/** Clicks the report form's submit button, waits for the next page; answers the POST's status. */
async function submitReportForm(page: Page): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.waitForEvent('load'),
    page.click('form[data-report-form] button[type="submit"]'),
  ]);
  return response.status();
}

async function assertContactFields(
  page: Page,
  expected: { email: boolean; phone: boolean; hints: boolean; leaveMessage: boolean },
): Promise<void> {
  const actual = {
    email: await page.isVisible('#f-contact_email'),
    phone: await page.isVisible('#f-contact_phone'),
    hints: await page.isVisible('#f-safe_contact_hints'),
    leaveMessage: await page.isVisible('#f-may_leave_message-yes'),
  };
  assert.deepEqual(actual, expected, 'visible contact questions');
}

async function receiptCode(page: Page): Promise<string> {
  assert.equal(await page.locator('[data-receipt-code]').count(), 1, 'the confirmation shows a code');
  const code = ((await page.textContent('[data-receipt-code]')) ?? '').trim();
  assert.match(code, /^\d{4} \d{4} \d{4} \d{4}$/);
  return code;
}

/** Whether the first element matching `a` comes before the first matching `b` in the document. */
function precedes(page: Page, a: string, b: string): Promise<boolean> {
  return page.evaluate(
    ([first, second]) => {
      interface Node {
        compareDocumentPosition(other: Node): number;
      }
      const d = (globalThis as unknown as { document: { querySelector(s: string): Node | null } }).document;
      const x = d.querySelector(first);
      const y = d.querySelector(second);
      const FOLLOWING = 4;
      return !!x && !!y && (x.compareDocumentPosition(y) & FOLLOWING) !== 0;
    },
    [a, b] as const,
  );
}

/**
 * axe-core needs timers, which do not run in a page without JavaScript (`runAxe` would wait forever).
 * So the page's HTML — exactly what the server sent, as no script ran — is served again at the same
 * address to a page with JavaScript, our own script replaced by an empty one so nothing changes the
 * DOM, and axe runs there with the real stylesheet.
 */
async function assertNoAxeViolationsWithoutScript(
  h: BrowserHarness,
  page: Page,
  label: string,
): Promise<void> {
  const html = await page.content();
  const url = page.url();
  const script = await page.getAttribute('script[src]', 'src');
  assert.ok(script, 'the page loads our script');
  const context = await h.newContext();
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  try {
    await context.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await context.route(new URL(script, url).href, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
    );
    const replay = await context.newPage();
    await replay.goto(url);
    assert.equal(await replay.title(), await page.title(), 'the replay shows the same page');
    assert.equal(
      await replay.locator('[data-error-summary]').count(),
      await page.locator('[data-error-summary]').count(),
    );
    await assertNoAxeViolations(replay, label);
  } finally {
    await context.close();
  }
}

async function reportsWith(h: BrowserHarness, narrative: string): Promise<number> {
  const rows = await h.testApp.database.db
    .selectFrom('report')
    .select('id')
    .where('narrative', '=', narrative)
    .execute();
  return rows.length;
}

function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
}
