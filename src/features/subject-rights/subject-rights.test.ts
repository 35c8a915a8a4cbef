import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { errorSummary, inputValue } from '../../test/http-client.ts';
import {
  caseAudits,
  createTestCase,
  staffWithSession,
  type SessionStaff,
  type TestCase,
} from '../../test/cases.ts';
import { seedReport } from '../../test/reports.ts';
import { mentions, namePattern, replaceMentions } from '../persons/name-match.ts';
import type { ExportDocument } from './export-document.ts';
import { centreToday } from '../tasks/task-dates.ts';

const NAME = 'Rosa Popescu';
const OTHER = 'Marek Nowak';
const NOTE_ABOUT_HER = 'Gesprek met rosa popescu gehad; zij wil hulp.';
const NOTE_SPLIT_NAME = 'Afspraak: ROSA\nPOPESCU komt dinsdag.';
const NOTE_ABOUT_HIM = `${OTHER} belde over de kas.`;
const NARRATIVE = `Mijn buurvrouw ${NAME} werkt dag en nacht in een kas.`;
const MESSAGE = `Ik heb ${NAME} gisteren weer gezien.`;
const OTHER_CONTACT = 'Bereikbaar via Rosa Popescu, zijn nicht.';
const REASON = 'Verzoek van de betrokkene per e-mail van 3 maart.';
// Typed with a status change: kept in the event's details, not in a column of its own.
const EVENT_NOTE = 'Rosa Popescu is naar de opvang; casus gaat naar in behandeling.';

describe('data subject rights: access and erasure of one person', () => {
  let t: TestApp;
  let coordinator: SessionStaff;
  let advisor: SessionStaff;
  let admin: SessionStaff;
  let theCase: TestCase;
  let personsBase = '';
  let victimId = '';
  let otherId = '';
  let rights = '';

  const audits = (action: string) => caseAudits(t, theCase.id, action);

  async function addPerson(fields: Record<string, string>): Promise<string> {
    const form = await coordinator.client.get(`${personsBase}/nieuw`);
    const added = await coordinator.client.postForm(`${personsBase}/nieuw`, {
      _csrf: inputValue(form.body, '_csrf'),
      ...fields,
    });
    assert.equal(added.statusCode, 303);
    const newest = await t.database.db
      .selectFrom('case_person')
      .select('id')
      .where('case_id', '=', theCase.id)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    return newest.id;
  }

  before(async () => {
    t = await createTestApp();
    const { db } = t.database;
    coordinator = await staffWithSession(t, 'coordinator', { displayName: 'Cor Coördinator' });
    advisor = await staffWithSession(t, 'advisor', { displayName: 'Ada Adviseur' });
    admin = await staffWithSession(t, 'admin', { displayName: 'Anne Beheer' });
    // The advisor holds the case: their 403 comes from the permission, not from case access.
    theCase = await createTestCase(t, { assignedUserId: advisor.user.id, exploitationForms: ['labour'] });
    personsBase = `/beheer/casussen/${theCase.id}/personen`;
    victimId = await addPerson({
      role: 'presumed_victim',
      name: NAME,
      contact: '06 12345678, alleen na 18 uur',
      age: '19',
      sex: 'female',
      nationality: 'RO',
      trafficking_status: 'possible',
    });
    otherId = await addPerson({ role: 'suspected_perpetrator', name: OTHER, contact: OTHER_CONTACT });
    rights = `${personsBase}/${victimId}/rechten`;

    await db
      .updateTable('case_file')
      .set({ summary: `Signaal over ${NAME} en haar werkgever.` })
      .where('id', '=', theCase.id)
      .execute();
    for (const [index, body] of [NOTE_ABOUT_HER, NOTE_SPLIT_NAME, NOTE_ABOUT_HIM].entries()) {
      await db
        .insertInto('case_note')
        .values({
          id: randomUUID(),
          case_id: theCase.id,
          body,
          author_user_id: advisor.user.id,
          created_at: new Date(Date.UTC(2026, 10, 1 + index)),
        })
        .execute();
    }
    await db
      .insertInto('case_task')
      .values({ id: randomUUID(), case_id: theCase.id, title: `${NAME} terugbellen` })
      .execute();
    const reportId = await seedReport(t, { narrative: NARRATIVE });
    await db.insertInto('case_report').values({ report_id: reportId, case_id: theCase.id }).execute();
    await db
      .insertInto('report_message')
      .values({ id: randomUUID(), report_id: reportId, direction: 'from_reporter', body: MESSAGE })
      .execute();
    // A report of another case that happens to name her too: not this case's, so left alone.
    const unrelated = await seedReport(t, { narrative: `Ook ${NAME} genoemd, andere casus.` });
    const elsewhere = await createTestCase(t);
    await db.insertInto('case_report').values({ report_id: unrelated, case_id: elsewhere.id }).execute();
    const definition = await db
      .selectFrom('indicator_definition')
      .select(['list_version', 'code'])
      .executeTakeFirstOrThrow();
    await db
      .insertInto('indicator_assessment')
      .values({
        id: randomUUID(),
        case_id: theCase.id,
        list_version: definition.list_version,
        code: definition.code,
        present: true,
        remark: 'Paspoort ingehouden door de werkgever.',
      })
      .execute();
    await db
      .insertInto('case_event')
      .values({
        id: randomUUID(),
        case_id: theCase.id,
        kind: 'persons_met',
        details: JSON.stringify({ person: victimId, persons: [victimId, otherId] }),
      })
      .execute();
    await db
      .insertInto('case_event')
      .values({
        id: randomUUID(),
        case_id: theCase.id,
        kind: 'status',
        details: '{"from":"new","to":"triage"}',
      })
      .execute();
    await db
      .insertInto('case_event')
      .values({
        id: randomUUID(),
        case_id: theCase.id,
        kind: 'status',
        details: JSON.stringify({ from: 'triage', to: 'in_progress', note: EVENT_NOTE }),
      })
      .execute();
  });
  after(() => t.close());

  /** The JSON export, downloaded the way the rights page offers it. */
  async function downloadJson(client: SessionStaff['client'], personRights = rights) {
    const page = await client.get(personRights);
    assert.equal(page.statusCode, 200);
    return client.postForm(`${personRights}/inzage/json`, { _csrf: inputValue(page.body, '_csrf') });
  }

  it('offers access and erasure beside each person to a coordinator only', async () => {
    const list = await coordinator.client.get(personsBase);
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(`href="${rights}"`));
    assert.ok(list.body.includes(`Inzage en verwijdering: Vermoedelijk slachtoffer: ${NAME}`));
    const english = await coordinator.client.get(`/en${personsBase}`);
    assert.ok(english.body.includes(`href="/en${rights}"`));
    assert.match(english.body, /Access and erasure: /);
    const advisorList = await advisor.client.get(personsBase);
    assert.equal(advisorList.statusCode, 200);
    assert.ok(!advisorList.body.includes('/rechten'), 'no link the advisor could not follow');
  });

  it('explains both rights in both languages', async () => {
    const page = await coordinator.client.get(rights);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Inzage \(artikel 15 AVG\)/);
    assert.match(page.body, /Verwijdering \(artikel 17 AVG\)/);
    assert.ok(page.body.includes(`href="${rights}/inzage"`));
    assert.ok(page.body.includes(`action="${rights}/inzage/json"`));
    assert.ok(page.body.includes(`href="${rights}/wissen"`));
    const english = await coordinator.client.get(`/en${rights}`);
    assert.equal(english.statusCode, 200);
    assert.match(english.body, /Access \(GDPR article 15\)/);
    assert.ok(english.body.includes(`href="/en${rights}/wissen"`));
  });

  it('refuses advisors and administrators on every rights route, without exporting or erasing', async () => {
    const exportsBefore = (await audits('person.export')).length;
    const token = inputValue((await coordinator.client.get(rights)).body, '_csrf');
    for (const who of [advisor, admin]) {
      for (const path of [rights, `${rights}/inzage`, `${rights}/wissen`, `/en${rights}/inzage`]) {
        assert.equal((await who.client.get(path)).statusCode, 403, `${who.user.role} GET ${path}`);
      }
      for (const path of [`${rights}/inzage/json`, `${rights}/wissen`]) {
        const posted = await who.client.postForm(path, { _csrf: token, reason: REASON });
        assert.equal(posted.statusCode, 403, `${who.user.role} POST ${path}`);
      }
    }
    assert.equal((await audits('person.export')).length, exportsBefore);
    assert.equal((await audits('person.erase')).length, 0);
    assert.ok(await t.database.db.selectFrom('case_person').where('id', '=', victimId).executeTakeFirst());
  });

  it('shows a printable export with the person, the case and the passages naming her, audited', async () => {
    const page = await coordinator.client.get(`${rights}/inzage`);
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    const body = page.body;
    assert.ok(body.includes(NAME));
    assert.ok(body.includes('06 12345678, alleen na 18 uur'), 'the decrypted contact details');
    assert.ok(body.includes('Roemenië'), 'the nationality by name');
    assert.ok(body.includes(NOTE_ABOUT_HER), 'the note naming her, in lower case');
    assert.ok(body.includes('Afspraak: ROSA'), 'the note naming her across a line break');
    assert.ok(body.includes(NARRATIVE) && body.includes(MESSAGE), 'the linked report and its message');
    assert.ok(body.includes(`${NAME} terugbellen`), 'the task naming her');
    assert.ok(body.includes(EVENT_NOTE), 'the note typed with a status change, naming her');
    assert.ok(body.includes(OTHER_CONTACT), "another person's contact details naming her, decrypted");
    assert.ok(!body.includes(OTHER), "no other person's name");
    assert.ok(!body.includes('andere casus'), 'nothing from another case');
    assert.match(body, /kan over deze persoon gaan/);
    assert.match(body, /Kennis- en Adviescentrum Mensenhandel Twente/);
    assert.match(body, /Arbeidsuitbuiting/);
    assert.match(body, /Paspoort ingehouden door de werkgever\./, 'her indicator assessment');
    assert.ok(!/"from":"new"/.test(body), 'events that do not concern her are left out');

    const [audit] = (await audits('person.export')).slice(-1);
    assert.ok(audit);
    assert.deepEqual(audit.details, { person: victimId, format: 'html' });
    assert.equal(audit.actor_user_id, coordinator.user.id);
    assert.ok(!JSON.stringify(audit).toLowerCase().includes('popescu'), 'the audit holds no name');
  });

  it('downloads the same export as a JSON file named by case number and date only', async () => {
    const download = await downloadJson(coordinator.client);
    assert.equal(download.statusCode, 200);
    assert.match(String(download.headers['content-type']), /^application\/json/);
    assert.equal(download.headers['cache-control'], 'no-store');
    const today = centreToday();
    assert.equal(
      download.headers['content-disposition'],
      `attachment; filename="inzage-${theCase.number}-${today}.json"`,
    );
    const doc = JSON.parse(download.body) as ExportDocument;
    assert.equal(doc.format, 'baken.subject-access-export');
    assert.equal(doc.language, 'nl');
    assert.equal(doc.controller.name, t.config.region.organisation.name);
    assert.equal(doc.processing.purposes.length, 3);
    assert.ok(doc.processing.retention.length > 0 && doc.processing.legalBasis.length > 0);
    assert.equal(doc.case.number, theCase.number);
    assert.deepEqual(doc.case.exploitationForms, [{ code: 'labour', label: 'Arbeidsuitbuiting' }]);
    assert.equal(doc.case.status.code, 'new');
    const field = (name: string) => doc.person.fields.find((f) => f.field === name);
    assert.deepEqual(field('name'), { field: 'name', label: 'Naam of schuilnaam', value: NAME, text: NAME });
    assert.equal(field('age')?.value, 19);
    assert.equal(field('decision_organisation')?.text, 'Niet ingevuld');
    assert.equal(doc.person.fields.length, 12, 'every field, filled in or not');
    assert.deepEqual(
      doc.events.map((e) => e.kind),
      ['persons_met'],
    );
    assert.equal(doc.indicators.length, 1);
    assert.deepEqual(doc.passages.map((p) => p.source).sort(), [
      'case_summary',
      'event_note',
      'note',
      'note',
      'person_contact',
      'report_message',
      'report_narrative',
      'task',
    ]);
    assert.ok(doc.passages.every((p) => (p as { mayConcern: unknown }).mayConcern === true));
    assert.ok(!download.body.includes(OTHER));

    const [audit] = (await audits('person.export')).slice(-1);
    assert.deepEqual(audit?.details, { person: victimId, format: 'json' });
    const english = await coordinator.client.postForm(`/en${rights}/inzage/json`, {
      _csrf: inputValue((await coordinator.client.get(rights)).body, '_csrf'),
    });
    assert.match(String(english.headers['content-disposition']), /filename="access-2026-\d{4}-/);
    assert.equal((JSON.parse(english.body) as ExportDocument).person.fields[0]?.label, 'Role in the case');
  });

  it('refuses a download without a valid form token', async () => {
    const before = (await audits('person.export')).length;
    const refused = await coordinator.client.postForm(`${rights}/inzage/json`, { _csrf: 'nope' });
    assert.equal(refused.statusCode, 403);
    assert.equal((await audits('person.export')).length, before);
  });

  it('gives no indicators for someone who is not the presumed victim', async () => {
    const download = await downloadJson(coordinator.client, `${personsBase}/${otherId}/rechten`);
    const doc = JSON.parse(download.body) as ExportDocument;
    assert.deepEqual(doc.indicators, []);
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [NOTE_ABOUT_HIM],
    );
  });

  it("withholds the reporter's words naming a suspected perpetrator, and says why without saying how many", async () => {
    const { db } = t.database;
    const narrative = `${OTHER} houdt haar paspoort; ik woon naast de kas aan de Dijkweg.`;
    const message = 'Ik zag marek nowak vanavond weer bij de kas, vanuit mijn keukenraam.';
    const grantReason = `Collega vroeg naar ${OTHER} tijdens de nachtdienst.`;
    const reportId = await seedReport(t, { narrative });
    await db.insertInto('case_report').values({ report_id: reportId, case_id: theCase.id }).execute();
    await db
      .insertInto('report_message')
      .values({ id: randomUUID(), report_id: reportId, direction: 'from_reporter', body: message })
      .execute();
    await db
      .insertInto('case_access_grant')
      .values({
        id: randomUUID(),
        case_id: theCase.id,
        user_id: admin.user.id,
        reason: grantReason,
        expires_at: new Date(Date.UTC(2026, 0, 1)),
      })
      .execute();
    const perpetrator = `${personsBase}/${otherId}/rechten`;
    const secrets = [narrative, message, grantReason, 'Dijkweg', 'keukenraam', 'nachtdienst'];

    const page = await coordinator.client.get(`${perpetrator}/inzage`);
    assert.equal(page.statusCode, 200);
    for (const secret of secrets) assert.ok(!page.body.includes(secret), `HTML holds: ${secret}`);
    assert.ok(page.body.includes(NOTE_ABOUT_HIM), "staff's own note naming him is still given");
    assert.ok(page.body.includes('data-withheld'));
    assert.ok(!/\b3 passages\b/.test(page.body), 'no count that tells reports about them exist');
    assert.match(page.body, /alleen aan het vermoedelijke slachtoffer verstrekt/);
    assert.match(page.body, /artikel 15, lid 4 AVG/);
    assert.match(page.body, /artikel 41, lid 1, onder i UAVG/);
    assert.ok(!page.body.includes('data-third-party-warning'));

    const download = await downloadJson(coordinator.client, perpetrator);
    assert.equal(download.statusCode, 200);
    for (const secret of secrets) assert.ok(!download.body.includes(secret), `JSON holds: ${secret}`);
    const doc = JSON.parse(download.body) as ExportDocument;
    assert.equal(doc.thirdParty.handling, 'withheld');
    assert.equal(doc.thirdParty.count, undefined);
    assert.match(doc.thirdParty.note, /alleen aan het vermoedelijke slachtoffer verstrekt.*artikel 23/);
    assert.deepEqual(
      doc.passages.map((p) => p.text),
      [NOTE_ABOUT_HIM],
    );
    const [audit] = (await audits('person.export')).slice(-1);
    assert.deepEqual(audit?.details, { person: otherId, format: 'json', withheld: 3 });

    const english = await coordinator.client.get(`/en${perpetrator}/inzage`);
    assert.match(english.body, /given only to the presumed victim/);
    assert.match(english.body, /GDPR article 15\(4\)/);
  });

  it('keeps the passages for the presumed victim, with a warning to read them before handing over', async () => {
    const page = await coordinator.client.get(`${rights}/inzage`);
    assert.equal(page.statusCode, 200);
    assert.ok(
      page.body.includes(NARRATIVE) && page.body.includes(MESSAGE) && page.body.includes(OTHER_CONTACT),
    );
    assert.match(page.body, /data-third-party-warning[ >]/);
    assert.match(page.body, /Let op: dit overzicht bevat 3 passages uit meldingen/);
    assert.equal(page.body.match(/data-third-party-passage>/g)?.length, 3);
    assert.ok(!page.body.includes('data-withheld'));
    const doc = JSON.parse((await downloadJson(coordinator.client)).body) as ExportDocument;
    assert.equal(doc.thirdParty.handling, 'included');
    assert.equal(doc.thirdParty.count, 3);
    assert.match(doc.thirdParty.note, /voordat u het overzicht verstrekt/);
    assert.ok(doc.passages.some((p) => p.text === NARRATIVE));
  });

  it('keeps the typed reason and shows errors beside the field and in the summary', async () => {
    const form = await coordinator.client.get(`${rights}/wissen`);
    assert.equal(form.statusCode, 200);
    const token = inputValue(form.body, '_csrf');
    const cases: [string | undefined, RegExp][] = [
      [undefined, /Vul de reden in\./],
      ['te kort', /ten minste 10 tekens/],
      ['x'.repeat(501), /ten hoogste 500 tekens/],
      [`Verzoek van ${NAME.toUpperCase()} zelf`, /Laat de naam van de persoon weg/],
    ];
    for (const [reason, message] of cases) {
      const posted = await coordinator.client.postForm(`${rights}/wissen`, { _csrf: token, reason });
      assert.equal(posted.statusCode, 400, String(reason));
      const summary = errorSummary(posted.body);
      assert.equal(summary.length, 1);
      assert.match(summary[0] ?? '', message);
      assert.match(posted.body, /id="f-reason-error"/);
      assert.match(posted.body, /aria-invalid="true"/);
      if (reason) assert.ok(posted.body.includes(`${reason}</textarea>`), 'the typed reason is kept');
    }
    const expired = await coordinator.client.postForm(`${rights}/wissen`, { _csrf: 'old', reason: REASON });
    assert.equal(expired.statusCode, 403);
    assert.ok(expired.body.includes(`${REASON}</textarea>`));
    assert.ok(await t.database.db.selectFrom('case_person').where('id', '=', victimId).executeTakeFirst());
    assert.equal((await audits('person.erase')).length, 0);
  });

  it('erases her from every table in one go, keeps the other person, and audits why', async () => {
    const form = await coordinator.client.get(`${rights}/wissen`);
    const erased = await coordinator.client.postForm(`${rights}/wissen`, {
      _csrf: inputValue(form.body, '_csrf'),
      reason: REASON,
    });
    assert.equal(erased.statusCode, 303);
    assert.equal(erased.headers.location, `${personsBase}?verwijderd`);

    const { db } = t.database;
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
    assert.ok(tables.rows.length > 20);
    for (const { table_name: table } of tables.rows) {
      const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(db);
      for (const { row } of rows.rows) {
        const lower = row.toLowerCase();
        // The unrelated case's report keeps the name: erasure is of one person in one case.
        if (lower.includes('andere casus')) continue;
        assert.ok(!lower.includes('popescu'), `${table} still holds the name: ${row.slice(0, 200)}`);
        // The append-only audit log keeps the row id it has always held (never the name).
        if (table !== 'audit_event') assert.ok(!lower.includes(victimId), `${table} still holds the id`);
      }
    }

    const remaining = await db
      .selectFrom('case_person')
      .select('id')
      .where('case_id', '=', theCase.id)
      .execute();
    assert.deepEqual(
      remaining.map((p) => p.id),
      [otherId],
    );
    const notes = await db
      .selectFrom('case_note')
      .select('body')
      .where('case_id', '=', theCase.id)
      .orderBy('created_at')
      .execute();
    assert.deepEqual(
      notes.map((n) => n.body),
      [
        'Gesprek met [verwijderd] gehad; zij wil hulp.',
        'Afspraak: [verwijderd] komt dinsdag.',
        NOTE_ABOUT_HIM,
      ],
    );
    const events = await db
      .selectFrom('case_event')
      .select(['kind', 'details'])
      .where('case_id', '=', theCase.id)
      .execute();
    const met = events.find((e) => e.kind === 'persons_met');
    assert.deepEqual(met?.details, { persons: [otherId] });
    const erasedEvent = events.find((e) => e.kind === 'person_erased');
    assert.deepEqual(erasedEvent?.details, { role: 'presumed_victim', passages: 8 });
    const statusNote = events.find((e) => e.kind === 'status' && e.details.to === 'in_progress');
    assert.deepEqual(statusNote?.details, {
      from: 'triage',
      to: 'in_progress',
      note: '[verwijderd] is naar de opvang; casus gaat naar in behandeling.',
    });

    const [audit, ...more] = await audits('person.erase');
    assert.ok(audit);
    assert.equal(more.length, 0);
    assert.equal(audit.reason, REASON);
    assert.deepEqual(audit.details, { person: victimId, passages: 8, events: 1 });
    assert.equal(audit.actor_user_id, coordinator.user.id);

    const list = await coordinator.client.get(`${personsBase}?verwijderd`);
    assert.match(list.body, /De persoon is verwijderd/);
    assert.ok(list.body.includes(OTHER));
    assert.ok(list.body.includes('Bereikbaar via [verwijderd], zijn nicht.'), 'encrypted text is erased too');
    const logged = JSON.stringify(t.logLines).toLowerCase();
    assert.ok(!logged.includes('popescu'), 'the name was never logged');
  });

  it('answers an erased person with the not-found page', async () => {
    const form = await coordinator.client.get(`${personsBase}/${otherId}/rechten/wissen`);
    const token = inputValue(form.body, '_csrf');
    for (const path of [rights, `${rights}/inzage`, `${rights}/wissen`]) {
      assert.equal((await coordinator.client.get(path)).statusCode, 404, path);
    }
    const again = await coordinator.client.postForm(`${rights}/wissen`, { _csrf: token, reason: REASON });
    assert.equal(again.statusCode, 404);
    const download = await coordinator.client.postForm(`${rights}/inzage/json`, { _csrf: token });
    assert.equal(download.statusCode, 404);
    assert.equal((await audits('person.erase')).length, 1);
  });
});

describe('finding a name in text', () => {
  it('matches whole words only, whatever the case and the whitespace between the parts', () => {
    const pattern = namePattern('Ana Lupu');
    assert.ok(mentions('Vandaag ANA  lupu gesproken', pattern));
    assert.ok(mentions('ana\nlupu.', pattern));
    assert.ok(!mentions('Anastasia Lupu', pattern));
    assert.ok(!mentions('bana lupus', pattern));
    assert.equal(namePattern('A'), undefined, 'a one-letter name would match ordinary words');
    assert.equal(namePattern(null), undefined);
  });

  it('leaves no mention after replacing, and changes nothing around it', () => {
    const word = fc.stringMatching(/^[A-Za-zÀ-ÖØ-öø-ÿ]{2,8}$/);
    // Text between the mentions: anything, and separately text without letters (so nothing in it
    // can run on into a mention), for which the exact outcome is known.
    const anything = fc.array(fc.string({ maxLength: 20 }), { minLength: 2, maxLength: 5 });
    const noLetters = fc.array(fc.stringMatching(/^[0-9 .,;:!?\n-]{0,12}$/), { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        anything,
        noLetters,
        (parts, mixed, plain) => {
          const name = parts.join(' ');
          const pattern = namePattern(name);
          assert.ok(pattern);
          const replaced = replaceMentions(mixed.join(` ${name.toUpperCase()} `), pattern, '[verwijderd]');
          assert.ok(!mentions(replaced.text, pattern), replaced.text);
          const exact = replaceMentions(plain.join(` ${name} `), pattern, '[verwijderd]');
          assert.equal(exact.text, plain.join(' [verwijderd] '));
          assert.equal(exact.count, plain.length - 1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
