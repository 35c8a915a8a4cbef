import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { validReport } from '../../test/fixtures.ts';
import { signInAsStaff, type SignedInStaff } from '../../test/staff.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { CASE_ENTITY } from '../audit/audit-service.ts';
import { openRecipient } from '../mail/outbox.ts';
import { caseYear } from './case-number.ts';
import { addCaseNote } from './case-service.ts';

/**
 * The case file at the level a user meets it: made from a report on the report page, listed per
 * role, opened (or refused, or opened after breaking the glass), edited by two people at once,
 * moved through the workflow up to an approved closure, answered from, and everything audited.
 */

const location = (response: LightMyRequestResponse) => String(response.headers.location);
const caseIdFrom = (response: LightMyRequestResponse) =>
  /\/beheer\/casussen\/([0-9a-f-]{36})/.exec(location(response))?.[1] ?? '';
const listedNumbers = (html: string) =>
  [...html.matchAll(/data-case-id="[^"]+"[\s\S]*?<a class="utrecht-link" href="[^"]+">([^<]+)</g)].map(
    (m) => m[1],
  );
/** A page without what differs per response (CSP nonce, request id), to compare two error pages. */
const normalised = (html: string) =>
  html
    .replace(/nonce="[^"]*"/g, '')
    // The language link points at the same path in English, whatever was asked for.
    .replace(/href="\/en\/beheer\/[^"]*"/g, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '');

describe('case files', () => {
  let t: TestApp;
  let coordinator: SignedInStaff;
  let ada: SignedInStaff; // advisor, team Noord
  let bram: SignedInStaff; // advisor, team Noord
  let cato: SignedInStaff; // advisor, no team
  const teamId = randomUUID();
  let reportId = '';
  let receiptCode = '';
  let caseId = '';
  let caseNumber = '';
  let otherCaseId = '';
  let otherCaseNumber = '';
  const contactEmail = 'anna.geheim@example.org';
  const replyText = 'Wij hebben uw melding besproken en bellen u morgen.';

  before(async () => {
    t = await createTestApp({
      configure: (config) => {
        config.throttles.intakeSubmission = { ...config.throttles.intakeSubmission, maxAttempts: 1000 };
      },
    });
    await t.database.db.insertInto('team').values({ id: teamId, name: 'Team Noord' }).execute();
    coordinator = await signInAsStaff(t.app, 'coordinator', { displayName: 'Cora Coördinator' });
    ada = await signInAsStaff(t.app, 'advisor', { displayName: 'Ada Adviseur' });
    bram = await signInAsStaff(t.app, 'advisor', { displayName: 'Bram Adviseur' });
    cato = await signInAsStaff(t.app, 'advisor', { displayName: 'Cato Adviseur' });
    await t.database.db
      .updateTable('staff_user')
      .set({ team_id: teamId })
      .where('id', 'in', [ada.user.id, bram.user.id])
      .execute();
    ({ reportId, receiptCode } = await reportThroughPortal());
  });
  after(() => t.close());

  /** A report through the public form, in danger, asking for replies by e-mail. */
  async function reportThroughPortal(): Promise<{ reportId: string; receiptCode: string }> {
    const reporter = new TestClient(t.app);
    const start = await reporter.get('/melden');
    const form = await reporter.postForm('/melden', {
      _csrf: inputValue(start.body, '_csrf'),
      acute_danger: 'yes',
    });
    const narrative = `Verhaal ${randomUUID()}`;
    const sent = await reporter.postMultipart('/melden/versturen', {
      _csrf: inputValue(form.body, '_csrf'),
      submission_key: inputValue(form.body, 'submission_key'),
      acute_danger: inputValue(form.body, 'acute_danger'),
      ...validReport,
      narrative,
    });
    assert.equal(sent.statusCode, 303);
    const confirmation = await reporter.get('/melden/ontvangen');
    const code = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1] ?? '';
    const row = await t.database.db
      .selectFrom('report')
      .select('id')
      .where('narrative', '=', narrative)
      .executeTakeFirstOrThrow();
    return { reportId: row.id, receiptCode: code };
  }

  const auditCount = async (action: string, entityId = caseId) =>
    (
      await t.database.db
        .selectFrom('audit_event')
        .select('id')
        .where('action', '=', action)
        .where('entity_type', '=', CASE_ENTITY)
        .where('entity_id', '=', entityId)
        .execute()
    ).length;

  async function makeCase(staff: SignedInStaff, report: string, title: string) {
    const page = await staff.client.get(`/beheer/meldingen/${report}`);
    return staff.client.postForm(`/beheer/meldingen/${report}/casus`, {
      _csrf: inputValue(page.body, '_csrf'),
      title,
    });
  }

  it('makes a case from the report page, prefilled from the report, in one go', async () => {
    const page = await ada.client.get(`/beheer/meldingen/${reportId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h3 class="utrecht-heading-3">Maak casus<\/h3>/);
    assert.match(page.body, /Voeg toe aan bestaande casus/);

    const empty = await makeCase(ada, reportId, '  ');
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Geef de casus een werktitel.']);
    const long = await makeCase(ada, reportId, 'x'.repeat(201));
    assert.equal(long.statusCode, 400);
    assert.deepEqual(errorSummary(long.body), ['Dit is te lang. Gebruik maximaal 200 tekens.']);
    assert.ok(long.body.includes(`value="${'x'.repeat(201)}"`), 'the typed title is kept');

    const made = await makeCase(ada, reportId, 'Kas in Enschede');
    assert.equal(made.statusCode, 303);
    caseId = caseIdFrom(made);
    assert.equal(location(made), `/beheer/casussen/${caseId}?aangemaakt`);

    const stored = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    caseNumber = stored.number;
    assert.equal(caseNumber, `${caseYear(new Date())}-0001`);
    assert.equal(stored.title, 'Kas in Enschede');
    assert.equal(stored.urgency, 'acute', 'acute danger makes an acute case');
    assert.deepEqual(stored.exploitation_forms, ['labour']);
    assert.equal(stored.municipality, 'GM0153');
    assert.equal(stored.assigned_user_id, ada.user.id, 'an advisor gets the case they made');
    assert.equal(stored.team_id, teamId);
    assert.equal(stored.created_by, ada.user.id);
    const link = await t.database.db
      .selectFrom('case_report')
      .selectAll()
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.equal(link.case_id, caseId);
    const report = await t.database.db
      .selectFrom('report')
      .select('status')
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.equal(report.status, 'in_progress');
    const events = await t.database.db
      .selectFrom('case_event')
      .select('kind')
      .where('case_id', '=', caseId)
      .orderBy('at')
      .execute();
    assert.deepEqual(
      events.map((e) => e.kind),
      ['created', 'report_linked'],
    );
    assert.equal(await auditCount('case.created'), 1);

    const again = await ada.client.get(`/beheer/meldingen/${reportId}`);
    assert.match(
      again.body,
      new RegExp(`href="/beheer/casussen/${caseId}" data-report-case-link>casus ${caseNumber}<`),
    );
    assert.doesNotMatch(again.body, /Maak casus/, 'a report in a case offers no second case');
    const twice = await ada.client.postForm(`/beheer/meldingen/${reportId}/casus`, {
      _csrf: inputValue(again.body, '_csrf'),
      title: 'Nog een keer',
    });
    assert.equal(location(twice), `/beheer/casussen/${caseId}`, 'a second submit lands on the same case');
    assert.equal((await t.database.db.selectFrom('case_file').select('id').execute()).length, 1);
  });

  it('adds a second report to a case chosen by number, among the cases one may open', async () => {
    const coordinatorReport = await reportThroughPortal();
    const made = await makeCase(coordinator, coordinatorReport.reportId, 'Zaak van de coördinator');
    otherCaseId = caseIdFrom(made);
    const other = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', otherCaseId)
      .executeTakeFirstOrThrow();
    otherCaseNumber = other.number;
    assert.equal(
      other.assigned_user_id,
      null,
      'a coordinator sees every case and is not assigned by making one',
    );

    const second = await reportThroughPortal();
    const page = await ada.client.get(`/beheer/meldingen/${second.reportId}`);
    const csrf = inputValue(page.body, '_csrf');
    const path = `/beheer/meldingen/${second.reportId}/koppelen`;
    const malformed = await ada.client.postForm(path, { _csrf: csrf, case_number: 'twintig' });
    assert.deepEqual(errorSummary(malformed.body), ['Vul een casusnummer in zoals 2026-0042.']);
    const foreign = await ada.client.postForm(path, { _csrf: csrf, case_number: otherCaseNumber });
    assert.equal(foreign.statusCode, 400);
    assert.deepEqual(errorSummary(foreign.body), ['Er is geen casus met dit nummer die u mag openen.']);
    const missing = await ada.client.postForm(path, { _csrf: csrf, case_number: '1999-0001' });
    assert.deepEqual(
      errorSummary(missing.body),
      errorSummary(foreign.body),
      'a foreign number looks like a missing one',
    );

    const linked = await ada.client.postForm(path, { _csrf: csrf, case_number: caseNumber });
    assert.equal(location(linked), `/beheer/casussen/${caseId}?gekoppeld`);
    const links = await t.database.db
      .selectFrom('case_report')
      .select('report_id')
      .where('case_id', '=', caseId)
      .execute();
    assert.equal(links.length, 2);
    assert.equal(await auditCount('case.report_linked'), 1);
  });

  it('lists an advisor’s own and team cases only; a coordinator sees all', async () => {
    for (const [staff, expected] of [
      [ada, [caseNumber]],
      [bram, [caseNumber]],
      [cato, []],
      [coordinator, [caseNumber, otherCaseNumber]], // the first changed last (a report was added)
    ] as const) {
      const list = await staff.client.get('/beheer/casussen');
      assert.equal(list.statusCode, 200);
      assert.deepEqual(listedNumbers(list.body), expected, staff.user.displayName);
    }
    const mine = await ada.client.get('/beheer/casussen');
    assert.match(mine.body, /<h1 class="utrecht-heading-1">Mijn casussen<\/h1>/);
    const all = await coordinator.client.get('/beheer/casussen?status=closed');
    assert.deepEqual(listedNumbers(all.body), [], 'filtered by status');
    const urgent = await coordinator.client.get('/beheer/casussen?volgorde=urgent');
    assert.equal(urgent.statusCode, 200);
    const home = await ada.client.get('/beheer');
    assert.match(home.body, /href="\/beheer\/casussen" data-cases-link>Casussen</);
  });

  it('pages through a long list without skipping or repeating a case', async () => {
    const { db } = t.database;
    const dataKey = (await db.selectFrom('case_file').select('data_key_id').executeTakeFirstOrThrow())
      .data_key_id;
    const sameMoment = new Date('2026-03-01T10:00:00Z');
    for (let i = 0; i < 30; i++) {
      await db
        .insertInto('case_file')
        .values({
          id: randomUUID(),
          number: `1990-${String(i + 1).padStart(4, '0')}`,
          title: `Oud ${i}`,
          data_key_id: dataKey,
          team_id: teamId,
          updated_at: sameMoment,
        })
        .execute();
    }
    const seen: string[] = [];
    let url: string | undefined = '/beheer/casussen';
    while (url) {
      const page = await bram.client.get(url);
      seen.push(...listedNumbers(page.body).map(String));
      url = /<a[^>]*href="([^"]+)"[^>]*rel="next"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    }
    assert.equal(seen.length, 31);
    assert.equal(new Set(seen).size, 31);
    await db.deleteFrom('case_file').where('number', 'like', '1990-%').execute();
  });

  it('shows the case, audits the read, links its sections and shows tasks on the timeline', async () => {
    await t.database.db
      .insertInto('case_task')
      .values({
        id: randomUUID(),
        case_id: caseId,
        title: 'Bel de werkgever',
        created_by: bram.user.id,
        done_at: new Date(),
        done_by: bram.user.id,
      })
      .execute();
    const reads = await auditCount('case.read');
    const page = await bram.client.get(`/beheer/casussen/${caseId}`);
    assert.equal(page.statusCode, 200);
    assert.equal(await auditCount('case.read'), reads + 1);
    assert.match(
      page.body,
      new RegExp(`<h1 class="utrecht-heading-1">Casus ${caseNumber}: Kas in Enschede</h1>`),
    );
    assert.match(page.body, /Enschede/);
    assert.match(page.body, /Arbeidsuitbuiting/);
    assert.match(page.body, /Acuut/);
    assert.match(page.body, /Team Noord/);
    assert.match(page.body, /Ada Adviseur/);
    for (const section of ['personen', 'indicatoren', 'taken']) {
      assert.ok(page.body.includes(`href="/beheer/casussen/${caseId}/${section}"`), section);
    }
    assert.match(page.body, new RegExp(`href="/beheer/meldingen/${reportId}"`));
    assert.match(page.body, /Taak aangemaakt: Bel de werkgever/);
    assert.match(page.body, /Taak afgerond: Bel de werkgever/);
    assert.match(page.body, /Casus aangemaakt/);
    assert.doesNotMatch(page.body, /data-access-log/, 'an advisor does not see the access log');
    const english = await bram.client.get(`/en/beheer/casussen/${caseId}`);
    assert.match(english.body, /<html lang="en"/);
    assert.match(english.body, /Labour exploitation/);
  });

  it('answers a missing and a malformed case with the same 403 page for an advisor, and 404 for a coordinator', async () => {
    const missing = await cato.client.get(`/beheer/casussen/${randomUUID()}`);
    const malformed = await cato.client.get('/beheer/casussen/x');
    const missingGlass = await cato.client.get(`/beheer/casussen/${randomUUID()}/toegang`);
    const notAllowed = await cato.client.get('/beheer/casussen/toegangscontrole');
    for (const response of [missing, malformed, missingGlass, notAllowed])
      assert.equal(response.statusCode, 403);
    assert.equal(normalised(missing.body), normalised(malformed.body));
    assert.equal(normalised(missing.body), normalised(missingGlass.body));
    assert.equal(normalised(missing.body), normalised(notAllowed.body), 'the same as any other refusal');
    assert.equal((await coordinator.client.get(`/beheer/casussen/${randomUUID()}`)).statusCode, 404);
  });

  it('lets an advisor open another’s case after stating a reason, which the coordinator sees', async () => {
    const opened = await cato.client.get(`/beheer/casussen/${caseId}`);
    assert.equal(opened.statusCode, 303);
    assert.equal(location(opened), `/beheer/casussen/${caseId}/toegang`);
    const glass = await cato.client.get(location(opened));
    assert.equal(glass.statusCode, 200);
    for (const secret of [caseNumber, 'Kas in Enschede', 'Enschede'])
      assert.ok(!glass.body.includes(secret), secret);
    const csrf = inputValue(glass.body, '_csrf');
    const short = await cato.client.postForm(location(opened), {
      _csrf: csrf,
      reason: 'even kijken'.slice(0, 5),
    });
    assert.equal(short.statusCode, 400);
    assert.deepEqual(errorSummary(short.body), ['Geef een reden van minimaal 10 tekens.']);
    assert.equal(await auditCount('case.break_glass'), 0);

    // A reason naming someone in the case would stay in the append-only audit log for years.
    assert.match(glass.body, /Noem geen namen: de reden wordt jaren bewaard in het logboek/);
    const persons = `/beheer/casussen/${caseId}/personen`;
    const personForm = await coordinator.client.get(`${persons}/nieuw`);
    const added = await coordinator.client.postForm(`${persons}/nieuw`, {
      _csrf: inputValue(personForm.body, '_csrf'),
      role: 'suspected_perpetrator',
      name: 'Stefan Ionescu',
    });
    assert.equal(added.statusCode, 303);
    const named = 'Politie vraagt naar stefan IONESCU van de kas';
    const refused = await cato.client.postForm(location(opened), { _csrf: csrf, reason: named });
    assert.equal(refused.statusCode, 400);
    const nameError =
      'Laat de naam van een persoon in deze casus weg uit de reden: de reden wordt jaren bewaard in het logboek.';
    assert.deepEqual(errorSummary(refused.body), [nameError]);
    assert.match(refused.body, /id="f-reason-error"/);
    assert.equal(refused.body.split(nameError).length - 1, 2, 'beside the field and in the summary');
    assert.ok(refused.body.includes(`>${named}</textarea>`), 'what was typed is kept');
    assert.ok(!refused.body.includes(caseNumber));
    assert.equal(await auditCount('case.break_glass'), 0);
    assert.equal(await auditCount('case.break_glass_refused'), 1, 'trying names is visible in the log');
    const grants = await t.database.db.selectFrom('case_access_grant').select('reason').execute();
    assert.equal(grants.length, 0);
    const logged = await t.database.db.selectFrom('audit_event').select('reason').execute();
    assert.ok(!JSON.stringify(logged).toLowerCase().includes('ionescu'));
    assert.equal((await cato.client.get(`/beheer/casussen/${caseId}`)).statusCode, 303);

    const reason = 'Ada is ziek en de melder belde met een vraag';
    const stated = await cato.client.postForm(location(opened), { _csrf: csrf, reason });
    assert.equal(location(stated), `/beheer/casussen/${caseId}`);
    assert.equal((await cato.client.get(`/beheer/casussen/${caseId}`)).statusCode, 200);
    assert.equal(await auditCount('case.break_glass'), 1);
    assert.deepEqual(
      listedNumbers((await cato.client.get('/beheer/casussen')).body),
      [caseNumber],
      'listed while her grant lasts, so she can find her way back to it',
    );

    const casePage = await coordinator.client.get(`/beheer/casussen/${caseId}`);
    assert.match(casePage.body, /data-access-log/);
    assert.match(
      casePage.body,
      new RegExp(
        `<td class="utrecht-table__cell">Cato Adviseur</td><td class="utrecht-table__cell">case.break_glass</td><td class="utrecht-table__cell">${reason}</td>`,
      ),
    );
    const review = await coordinator.client.get('/beheer/casussen/toegangscontrole');
    assert.equal(review.statusCode, 200);
    const grant = await t.database.db.selectFrom('case_access_grant').select('id').executeTakeFirstOrThrow();
    const row = new RegExp(`<tr[^>]*data-grant-id="${grant.id}"[\\s\\S]*?</tr>`).exec(review.body)?.[0] ?? '';
    assert.match(row, /Cato Adviseur/);
    assert.ok(row.includes(caseNumber) && row.includes(reason));
    const marked = await coordinator.client.postForm(`/beheer/casussen/toegangscontrole/${grant.id}/gezien`, {
      _csrf: inputValue(review.body, '_csrf'),
    });
    assert.equal(location(marked), '/beheer/casussen/toegangscontrole?gezien');
    const reviewed = await t.database.db
      .selectFrom('case_access_grant')
      .selectAll()
      .executeTakeFirstOrThrow();
    assert.equal(reviewed.reviewed_by, coordinator.user.id);
    assert.ok(reviewed.reviewed_at);
    assert.equal(await auditCount('case.break_glass_reviewed'), 1);
    assert.match((await coordinator.client.get(location(marked))).body, /Gezien door Cora Coördinator/);
  });

  it('keeps both versions when two advisors save the same case: the second gets a conflict and loses nothing', async () => {
    const formAda = await ada.client.get(`/beheer/casussen/${caseId}/bewerken`);
    const formBram = await bram.client.get(`/beheer/casussen/${caseId}/bewerken`);
    assert.equal(inputValue(formAda.body, 'version'), '1');
    assert.equal(inputValue(formBram.body, 'version'), '1');
    const base = { urgency: 'acute', municipality: 'GM0153', exploitation_forms: ['labour'] };
    const adaSaved = await ada.client.postForm(`/beheer/casussen/${caseId}/bewerken`, {
      _csrf: inputValue(formAda.body, '_csrf'),
      version: '1',
      ...base,
      title: 'Kas in Enschede (Ada)',
      labour_industry: 'A',
      control_methods: ['withholding_documents', 'excessive_working_hours'],
    });
    assert.equal(location(adaSaved), `/beheer/casussen/${caseId}?opgeslagen`);

    const bramTyped = 'Kas aan de rand van Enschede (Bram)';
    const conflict = await bram.client.postForm(`/beheer/casussen/${caseId}/bewerken`, {
      _csrf: inputValue(formBram.body, '_csrf'),
      version: '1',
      ...base,
      title: bramTyped,
      summary: 'Bram zijn samenvatting',
      recruitment_methods: ['employment_agency'],
    });
    assert.equal(conflict.statusCode, 409);
    assert.match(conflict.body, /data-conflict/);
    const titleRow = /<tr[^>]*data-conflict-field="title"[\s\S]*?<\/tr>/.exec(conflict.body)?.[0] ?? '';
    assert.match(titleRow, /data-saved>Kas in Enschede \(Ada\)</);
    assert.ok(titleRow.includes(`data-yours>${bramTyped}<`));
    assert.equal(inputValue(conflict.body, 'title'), bramTyped, 'his values are in the form');
    assert.ok(conflict.body.includes('Bram zijn samenvatting</textarea>'));
    assert.match(conflict.body, /id="f-recruitment_methods-employment_agency"[^>]*checked/);
    assert.equal(inputValue(conflict.body, 'version'), '2', 'based on the version now saved');
    const unchanged = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(unchanged.title, 'Kas in Enschede (Ada)');
    assert.equal(unchanged.labour_industry, 'A');
    assert.deepEqual(unchanged.control_methods, ['withholding_documents', 'excessive_working_hours']);

    const resubmitted = await bram.client.postForm(`/beheer/casussen/${caseId}/bewerken`, {
      _csrf: inputValue(conflict.body, '_csrf'),
      version: inputValue(conflict.body, 'version'),
      ...base,
      title: inputValue(conflict.body, 'title'),
      summary: 'Bram zijn samenvatting',
      recruitment_methods: ['employment_agency'],
    });
    assert.equal(resubmitted.statusCode, 303);
    const saved = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(saved.title, bramTyped);
    assert.equal(saved.version, 3);
    assert.equal(saved.labour_industry, null, 'not sent, so cleared');

    const updates = await t.database.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'case.updated')
      .where('entity_id', '=', caseId)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      updates.map((u) => u.details),
      [
        { fields: ['title', 'labour_industry', 'control_methods'] },
        { fields: ['title', 'summary', 'labour_industry', 'control_methods', 'recruitment_methods'] },
      ],
    );
    const invalid = await ada.client.postForm(`/beheer/casussen/${caseId}/bewerken`, {
      _csrf: inputValue(formAda.body, '_csrf'),
      version: '3',
      title: '',
      urgency: 'extreem',
      municipality: 'GM0153',
      exploitation_forms: ['labour'],
    });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(errorSummary(invalid.body), ['Geef de casus een werktitel.', 'Kies uit de lijst.']);
  });

  it('moves a case through the workflow to closure, approved by the coordinator', async () => {
    const page = await ada.client.get(`/beheer/casussen/${caseId}`);
    const csrf = inputValue(page.body, '_csrf');
    const status = (to: string) =>
      ada.client.postForm(`/beheer/casussen/${caseId}/status`, { _csrf: csrf, to });
    assert.equal((await status('triage')).statusCode, 303);
    const skipped = await status('referred');
    assert.equal(skipped.statusCode, 409, 'no skipping');
    assert.match(skipped.body, /Deze stap is nu niet mogelijk/);
    assert.equal((await status('in_progress')).statusCode, 303);

    const closure = (client: TestClient, fields: Record<string, string>) =>
      client.postForm(`/beheer/casussen/${caseId}/afsluiten`, { _csrf: csrf, ...fields });
    const noReason = await closure(ada.client, { decision: 'request' });
    assert.deepEqual(errorSummary(noReason.body), ['Kies een reden om af te sluiten.']);
    const requested = await closure(ada.client, {
      decision: 'request',
      closure_reason: 'referred',
      closure_note: 'Naar de zorgcoördinator',
    });
    assert.equal(requested.statusCode, 303);
    assert.equal(
      (await closure(ada.client, { decision: 'approve' })).statusCode,
      409,
      'an advisor cannot approve',
    );

    const queue = await coordinator.client.get('/beheer/casussen/afsluiten');
    assert.deepEqual(listedNumbers(queue.body), [caseNumber]);
    const coordinatorPage = await coordinator.client.get(`/beheer/casussen/${caseId}`);
    assert.match(
      coordinatorPage.body,
      /Ada Adviseur heeft op .* gevraagd de casus af te sluiten\. Reden: Doorverwezen\./,
    );
    const approved = await coordinator.client.postForm(`/beheer/casussen/${caseId}/afsluiten`, {
      _csrf: inputValue(coordinatorPage.body, '_csrf'),
      decision: 'approve',
    });
    assert.equal(approved.statusCode, 303);
    const closed = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(closed.status, 'closed');
    assert.ok(closed.closed_at);
    assert.equal(closed.closure_reason, 'referred');
    assert.equal(closed.closure_requested_by, ada.user.id);
    assert.equal(closed.closure_approved_by, coordinator.user.id);
    const reports = await t.database.db
      .selectFrom('report')
      .innerJoin('case_report', 'case_report.report_id', 'report.id')
      .select('report.status')
      .where('case_report.case_id', '=', caseId)
      .execute();
    assert.deepEqual(
      reports.map((r) => r.status),
      ['closed', 'closed'],
      'its reports are closed with it',
    );
    assert.equal(await auditCount('case.status_changed'), 4);
    const events = await t.database.db
      .selectFrom('case_event')
      .select('kind')
      .where('case_id', '=', caseId)
      .execute();
    assert.equal(events.filter((e) => e.kind === 'status').length, 3);
    assert.equal(events.filter((e) => e.kind === 'closure_requested').length, 1);
    assert.deepEqual(listedNumbers((await coordinator.client.get('/beheer/casussen/afsluiten')).body), []);

    const closedPage = await coordinator.client.get(`/beheer/casussen/${caseId}`);
    assert.match(closedPage.body, /Casus heropenen/);
    assert.doesNotMatch((await ada.client.get(`/beheer/casussen/${caseId}`)).body, /Casus heropenen/);
    const reopened = await coordinator.client.postForm(`/beheer/casussen/${caseId}/afsluiten`, {
      _csrf: inputValue(closedPage.body, '_csrf'),
      decision: 'reopen',
    });
    assert.equal(reopened.statusCode, 303);
    const open = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    assert.equal(open.status, 'in_progress');
    assert.equal(open.closed_at, null);
    const reportStatus = await t.database.db
      .selectFrom('report')
      .select('status')
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.equal(reportStatus.status, 'in_progress', 'and its reports reopen with it');
  });

  it('lets a coordinator reject a closure request with a note', async () => {
    const page = await coordinator.client.get(`/beheer/casussen/${otherCaseId}`);
    const csrf = inputValue(page.body, '_csrf');
    await t.database.db
      .updateTable('case_file')
      .set({ assigned_user_id: bram.user.id })
      .where('id', '=', otherCaseId)
      .execute();
    const bramPage = await bram.client.get(`/beheer/casussen/${otherCaseId}`);
    await bram.client.postForm(`/beheer/casussen/${otherCaseId}/afsluiten`, {
      _csrf: inputValue(bramPage.body, '_csrf'),
      decision: 'request',
      closure_reason: 'no_contact_possible',
    });
    const path = `/beheer/casussen/${otherCaseId}/afsluiten`;
    const bare = await coordinator.client.postForm(path, { _csrf: csrf, decision: 'reject' });
    assert.deepEqual(errorSummary(bare.body), ['Leg uit waarom u de aanvraag afwijst.']);
    const rejected = await coordinator.client.postForm(path, {
      _csrf: csrf,
      decision: 'reject',
      decision_note: 'Eerst nog één keer bellen',
    });
    assert.equal(rejected.statusCode, 303);
    const row = await t.database.db
      .selectFrom('case_file')
      .selectAll()
      .where('id', '=', otherCaseId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'new');
    assert.equal(row.closure_requested_at, null);
    const after = await bram.client.get(`/beheer/casussen/${otherCaseId}`);
    assert.match(after.body, /Aanvraag om af te sluiten afgewezen/);
    assert.match(after.body, /Eerst nog één keer bellen/);
  });

  it('assigns a case to an advisor and a team', async () => {
    const page = await coordinator.client.get(`/beheer/casussen/${otherCaseId}`);
    const assigned = await coordinator.client.postForm(`/beheer/casussen/${otherCaseId}/toewijzen`, {
      _csrf: inputValue(page.body, '_csrf'),
      assigned_user_id: cato.user.id,
      team_id: teamId,
    });
    assert.equal(assigned.statusCode, 303);
    // Her own case now, beside the one her break-the-glass grant still opens.
    assert.deepEqual(listedNumbers((await cato.client.get('/beheer/casussen')).body), [
      otherCaseNumber,
      caseNumber,
    ]);
    assert.equal(await auditCount('case.assigned', otherCaseId), 1);
    const bogus = await coordinator.client.postForm(`/beheer/casussen/${otherCaseId}/toewijzen`, {
      _csrf: inputValue(page.body, '_csrf'),
      assigned_user_id: randomUUID(),
    });
    assert.equal(bogus.statusCode, 400);
  });

  it('adds notes to the timeline, audited, and a failing audit stores nothing', async () => {
    const page = await ada.client.get(`/beheer/casussen/${caseId}`);
    const empty = await ada.client.postForm(`/beheer/casussen/${caseId}/notities`, {
      _csrf: inputValue(page.body, '_csrf'),
      note: ' ',
    });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Schrijf een notitie.']);
    const added = await ada.client.postForm(`/beheer/casussen/${caseId}/notities`, {
      _csrf: inputValue(page.body, '_csrf'),
      note: 'Gebeld met de wijkagent.',
    });
    assert.equal(location(added), `/beheer/casussen/${caseId}?notitie`);
    const after = await ada.client.get(location(added));
    assert.match(after.body, /De notitie is opgeslagen/);
    assert.match(after.body, /Gebeld met de wijkagent\./);
    assert.equal(await auditCount('case.note_added'), 1);

    // An audit event that cannot be written (an empty request id) takes the note down with it.
    const principal = {
      userId: ada.user.id,
      role: 'advisor' as const,
      displayName: 'Ada',
      teamId,
      sessionId: 'x',
    };
    await assert.rejects(addCaseNote(t.database.db, { principal, requestId: '' }, caseId, 'Zonder audit'));
    const notes = await t.database.db
      .selectFrom('case_note')
      .select('body')
      .where('case_id', '=', caseId)
      .execute();
    assert.deepEqual(
      notes.map((n) => n.body),
      ['Gebeld met de wijkagent.'],
    );
  });

  it('replies to the reporter from the case: the mailbox shows it, the e-mail says only that there is news', async () => {
    const page = await ada.client.get(`/beheer/casussen/${caseId}`);
    const sent = await ada.client.postForm(`/beheer/casussen/${caseId}/antwoord`, {
      _csrf: inputValue(page.body, '_csrf'),
      report_id: reportId,
      reply_body: replyText,
    });
    assert.equal(location(sent), `/beheer/casussen/${caseId}?verzonden`);
    const notInCase = await ada.client.postForm(`/beheer/casussen/${caseId}/antwoord`, {
      _csrf: inputValue(page.body, '_csrf'),
      report_id: randomUUID(),
      reply_body: 'Verdwaald',
    });
    assert.equal(notInCase.statusCode, 400);

    const reporter = new TestClient(t.app);
    const login = await reporter.get('/mijn-melding');
    await reporter.postForm('/mijn-melding', { _csrf: inputValue(login.body, '_csrf'), code: receiptCode });
    const mailbox = await reporter.get('/mijn-melding/berichten');
    assert.equal(mailbox.statusCode, 200);
    assert.ok(mailbox.body.includes(replyText));

    const mails = await t.database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('kind', '=', 'reporter_news')
      .execute();
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.ok(mail?.recipient && mail.body);
    assert.equal(openRecipient(t.config.secrets.secretKey, mail.id, mail.recipient), contactEmail);
    assert.ok(mail.body.includes(`${t.config.publicUrl}/mijn-melding`));
    for (const content of [replyText, 'morgen', caseNumber, 'Kas', 'Enschede', 'mensenhandel']) {
      assert.ok(
        !mail.body.includes(content) && !mail.subject.includes(content),
        `no "${content}" in the mail`,
      );
    }
    assert.equal(await auditCount('case.message_sent'), 1);
    const timeline = await ada.client.get(`/beheer/casussen/${caseId}`);
    assert.match(timeline.body, /Antwoord aan de melder verstuurd/);

    // The inbox's reply goes the same way.
    const reportPage = await ada.client.get(`/beheer/meldingen/${reportId}`);
    await ada.client.postForm(`/beheer/meldingen/${reportId}/antwoord`, {
      _csrf: inputValue(reportPage.body, '_csrf'),
      body: 'Nog een vraag.',
    });
    assert.equal(
      (
        await t.database.db
          .selectFrom('mail_outbox')
          .select('id')
          .where('kind', '=', 'reporter_news')
          .execute()
      ).length,
      2,
    );
  });

  it('keeps the audit chain whole and free of case content', async () => {
    assert.equal((await verifyAuditChain(t.database.db)).ok, true);
    const everything = JSON.stringify(
      await t.database.db.selectFrom('audit_event').select(['details', 'action']).execute(),
    );
    for (const content of [
      'Kas in Enschede',
      'wijkagent',
      replyText,
      contactEmail,
      'Bram zijn samenvatting',
    ]) {
      assert.ok(!everything.includes(content), `no "${content}" in audit details`);
    }
    const logged = JSON.stringify(t.logLines);
    for (const content of ['Kas in Enschede', 'wijkagent', replyText, contactEmail]) {
      assert.ok(!logged.includes(content), `no "${content}" in the log`);
    }
  });
});
