import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { caseAudits, createTestCase, staffWithSession, type SessionStaff } from '../../test/cases.ts';
import { errorSummary, inputValue } from '../../test/http-client.ts';
import { CHROMIUM_PATH, formatAxeViolations, runAxe } from '../../test/browser.ts';
import { createStaffSession, STAFF_COOKIE } from '../auth/session-service.ts';
import { cookieName } from '../../web/cookies.ts';
import { applyRetention } from './retention-service.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';

const HOLD_REASON = 'Rechtszaak loopt, kenmerk RB-2026-17';

describe('retention pages', () => {
  let t: TestApp;
  let admin: SessionStaff;
  let coordinator: SessionStaff;
  let advisor: SessionStaff;
  let caseId = '';

  before(async () => {
    t = await createTestApp();
    admin = await staffWithSession(t, 'admin');
    coordinator = await staffWithSession(t, 'coordinator', { displayName: 'Cora Coördinator' });
    advisor = await staffWithSession(t, 'advisor');
    caseId = (await createTestCase(t, { assignedUserId: advisor.user.id })).id;
  });
  after(() => t.close());

  const holdPath = () => `/beheer/casussen/${caseId}/bewaarplicht`;

  it('shows the rules in force and the runs, counts only, to administrators and coordinators in both languages', async () => {
    await applyRetention(t.database.db, { rules: t.config.retention, now: new Date('2026-01-01T00:00:00Z') });
    for (const who of [admin, coordinator]) {
      const home = await who.client.get('/beheer');
      assert.match(
        home.body,
        /href="\/beheer\/bewaartermijnen"[^>]*>Bewaartermijnen</,
        'a link in the navigation',
      );
      const page = await who.client.get('/beheer/bewaartermijnen');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1 class="utrecht-heading-1">Bewaartermijnen<\/h1>/);
      assert.match(page.body, /data-rule="reports"[\s\S]*?6 maanden/);
      assert.match(page.body, /data-rule="cases"[\s\S]*?5 jaar/);
      assert.match(page.body, /data-rule="audit"[\s\S]*?7 jaar/);
      assert.match(page.body, /data-run-id="[0-9a-f-]{36}"/);
      assert.match(page.body, /Er was niets aan de beurt/);
      const english = await who.client.get('/en/beheer/bewaartermijnen');
      assert.equal(english.statusCode, 200);
      assert.match(english.body, /Retention periods/);
      assert.match(english.body, /data-rule="reports"[\s\S]*?6 months/);
    }
    const refused = await advisor.client.get('/beheer/bewaartermijnen');
    assert.equal(refused.statusCode, 403);
    assert.doesNotMatch((await advisor.client.get('/beheer')).body, /bewaartermijnen/);
  });

  it('lets a coordinator place a legal hold with a reason, shown on the case and audited, and lift it', async () => {
    const casePage = await coordinator.client.get(`/beheer/casussen/${caseId}`);
    assert.equal(casePage.statusCode, 200);
    assert.match(casePage.body, new RegExp(`href="${holdPath()}"[^>]*data-legal-hold-link`));
    const advisorCase = await advisor.client.get(`/beheer/casussen/${caseId}`);
    assert.equal(advisorCase.statusCode, 200);
    assert.doesNotMatch(advisorCase.body, /data-legal-hold-link/, 'only for whoever may place a hold');
    assert.equal((await advisor.client.get(holdPath())).statusCode, 403);

    const form = await coordinator.client.get(holdPath());
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /data-legal-hold="off"/);
    const csrf = inputValue(form.body, '_csrf');

    const short = await coordinator.client.postForm(holdPath(), { _csrf: csrf, reason: 'te kort' });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /Gebruik 10 tot 500 tekens voor de reden/);
    assert.match(short.body, />te kort<\/textarea>/, 'what was typed is kept');
    const expired = await coordinator.client.postForm(holdPath(), { _csrf: 'nope', reason: HOLD_REASON });
    assert.equal(expired.statusCode, 403);
    assert.equal(
      await t.database.db.selectFrom('case_legal_hold').select('case_id').executeTakeFirst(),
      undefined,
    );

    const placed = await coordinator.client.postForm(holdPath(), { _csrf: csrf, reason: HOLD_REASON });
    assert.equal(placed.statusCode, 303);
    assert.equal(placed.headers.location, `${holdPath()}?geplaatst`);
    const shown = await coordinator.client.get(`${holdPath()}?geplaatst`);
    assert.match(shown.body, /De bewaarplicht is ingesteld/);
    assert.match(shown.body, /data-legal-hold="on"/);
    assert.match(shown.body, /ingesteld door Cora Coördinator/);
    assert.ok(shown.body.includes(HOLD_REASON));

    const timeline = (await coordinator.client.get(`/beheer/casussen/${caseId}`)).body;
    assert.match(timeline, /Bewaarplicht ingesteld/);
    assert.ok(timeline.includes(HOLD_REASON), 'the reason is in the timeline');
    const placedAudit = await caseAudits(t, caseId, 'case.legal_hold_placed');
    const [placedEvent] = placedAudit;
    assert.ok(placedEvent && placedAudit.length === 1);
    assert.equal(placedEvent.reason, HOLD_REASON);
    assert.equal(placedEvent.actor_user_id, coordinator.user.id);

    // A held case is skipped by retention however old its closure is.
    await t.database.db
      .updateTable('case_file')
      .set({ status: 'closed', closed_at: new Date('2001-01-01T00:00:00Z'), closure_reason: 'other' })
      .where('id', '=', caseId)
      .execute();
    const counts = await applyRetention(t.database.db, { rules: t.config.retention });
    assert.equal(counts.held, 1);
    assert.equal(counts.cases, 0);

    const liftForm = await coordinator.client.get(holdPath());
    assert.match(liftForm.body, /Bewaarplicht opheffen/);
    const lifted = await coordinator.client.postForm(`${holdPath()}/opheffen`, {
      _csrf: inputValue(liftForm.body, '_csrf'),
      reason: 'Rechtszaak is afgerond',
    });
    assert.equal(lifted.statusCode, 303);
    assert.equal(lifted.headers.location, `${holdPath()}?opgeheven`);
    assert.match((await coordinator.client.get(`${holdPath()}?opgeheven`)).body, /data-legal-hold="off"/);
    assert.match((await coordinator.client.get(`/beheer/casussen/${caseId}`)).body, /Bewaarplicht opgeheven/);
    const liftedAudit = await caseAudits(t, caseId, 'case.legal_hold_lifted');
    assert.equal(liftedAudit[0]?.reason, 'Rechtszaak is afgerond');
    // Lifting twice changes nothing and records nothing.
    const again = await coordinator.client.postForm(`${holdPath()}/opheffen`, {
      _csrf: inputValue(liftForm.body, '_csrf'),
      reason: 'Rechtszaak is afgerond',
    });
    assert.equal(again.headers.location, holdPath());
    assert.equal((await caseAudits(t, caseId, 'case.legal_hold_lifted')).length, 1);
  });

  it('refuses a hold reason that names anyone in the case, keeping what was typed', async () => {
    const named = (await createTestCase(t, { assignedUserId: advisor.user.id })).id;
    const path = `/beheer/casussen/${named}/bewaarplicht`;
    const persons = `/beheer/casussen/${named}/personen`;
    for (const [role, name] of [
      ['presumed_victim', 'Ilinca Dobre'],
      ['suspected_perpetrator', 'Goran Petrov'],
    ]) {
      const form = await coordinator.client.get(`${persons}/nieuw`);
      const added = await coordinator.client.postForm(`${persons}/nieuw`, {
        _csrf: inputValue(form.body, '_csrf'),
        role,
        name,
      });
      assert.equal(added.statusCode, 303);
    }
    const form = await coordinator.client.get(path);
    assert.match(form.body, /Noem geen namen: de reden wordt jaren bewaard in het logboek/);
    const csrf = inputValue(form.body, '_csrf');
    const refusedReason = 'Rechtszaak van ilinca  DOBRE, kenmerk RB-9';
    const refused = await coordinator.client.postForm(path, { _csrf: csrf, reason: refusedReason });
    assert.equal(refused.statusCode, 400);
    const summary = errorSummary(refused.body);
    assert.equal(summary.length, 1);
    assert.match(summary[0] ?? '', /Laat de naam van een persoon in deze casus weg/);
    assert.match(refused.body, /id="f-reason-error"/);
    assert.equal(refused.body.match(/Laat de naam van een persoon/g)?.length, 2, 'beside the field too');
    assert.ok(refused.body.includes(`>${refusedReason}</textarea>`), 'what was typed is kept');
    const holds = () => t.database.db.selectFrom('case_legal_hold').where('case_id', '=', named).execute();
    assert.equal((await holds()).length, 0);
    assert.equal((await caseAudits(t, named, 'case.legal_hold_placed')).length, 0);

    const placed = await coordinator.client.postForm(path, { _csrf: csrf, reason: HOLD_REASON });
    assert.equal(placed.statusCode, 303);
    const liftReason = 'Klacht van Goran Petrov is ingetrokken';
    const lift = await coordinator.client.postForm(`${path}/opheffen`, { _csrf: csrf, reason: liftReason });
    assert.equal(lift.statusCode, 400);
    assert.match(errorSummary(lift.body)[0] ?? '', /Laat de naam van een persoon in deze casus weg/);
    assert.ok(lift.body.includes(`>${liftReason}</textarea>`));
    assert.equal((await holds()).length, 1, 'the hold stays');
    assert.equal((await caseAudits(t, named, 'case.legal_hold_lifted')).length, 0);
    const audited = JSON.stringify(await caseAudits(t, named, 'case.legal_hold_placed')).toLowerCase();
    assert.ok(!audited.includes('dobre') && !audited.includes('petrov'));
  });

  it('passes axe in a browser: the overview, the hold page with and without a hold, and with errors', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    assert.ok(address && typeof address === 'object');
    const base = `http://127.0.0.1:${address.port}`;
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox'],
      });
      const context = await browser.newContext();
      await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
      const sessionId = await createStaffSession(t.database.db, coordinator.user.id, 'full');
      await context.addCookies([{ name: cookieName(t.config, STAFF_COOKIE), value: sessionId, url: base }]);
      const page: Page = await context.newPage();
      const check = async (label: string) => {
        const violations = await runAxe(page);
        assert.equal(violations.length, 0, `${label}:\n${formatAxeViolations(violations)}`);
      };
      for (const path of ['/beheer/bewaartermijnen', '/en/beheer/bewaartermijnen', holdPath()]) {
        assert.equal((await page.goto(`${base}${path}`))?.status(), 200);
        await check(path);
      }
      await page.fill('textarea[name="reason"]', 'kort');
      await page.click('button[type="submit"]');
      assert.match(await page.content(), /Gebruik 10 tot 500 tekens/);
      await check('hold page with an error');
      await page.fill('textarea[name="reason"]', `Klacht in behandeling ${randomUUID().slice(0, 8)}`);
      await page.click('button[type="submit"]');
      assert.match(await page.content(), /data-legal-hold="on"/);
      await check('hold page with a hold');
      assert.equal((await page.goto(`${base}/beheer/casussen/${caseId}`))?.status(), 200);
      await check('case page with the hold section');
    } finally {
      await browser?.close();
    }
  });
});
