import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { errorSummary, inputValue } from '../../test/http-client.ts';
import { caseAudits, caseStaff, createTestCase, type SessionStaff, type TestCase } from '../../test/cases.ts';
import { ageBandOf, ageBands } from './person-form.ts';

const NAME = 'Ioana Popescu-Geheim';
const CONTACT = '06 12345678, alleen na 18 uur';

describe('persons in a case', () => {
  let t: TestApp;
  let advisor: SessionStaff;
  let coordinator: SessionStaff;
  let outsider: SessionStaff;
  let theCase: TestCase;
  let otherCase: TestCase;
  let base = '';

  before(async () => {
    t = await createTestApp();
    ({ advisor, coordinator, outsider } = await caseStaff(t));
    theCase = await createTestCase(t, { assignedUserId: advisor.user.id });
    otherCase = await createTestCase(t, { assignedUserId: coordinator.user.id });
    base = `/beheer/casussen/${theCase.id}/personen`;
  });
  after(() => t.close());

  const persons = () =>
    t.database.db.selectFrom('case_person').selectAll().where('case_id', '=', theCase.id).execute();

  const audits = (action: string) => caseAudits(t, theCase.id, action);

  async function addPerson(client: SessionStaff['client'], fields: Record<string, string>) {
    const form = await client.get(`${base}/nieuw`);
    assert.equal(form.statusCode, 200);
    return client.postForm(`${base}/nieuw`, { _csrf: inputValue(form.body, '_csrf'), ...fields });
  }

  it('adds a presumed victim with name and contact encrypted at rest, and shows them decrypted', async () => {
    const added = await addPerson(advisor.client, {
      role: 'presumed_victim',
      name: NAME,
      contact: CONTACT,
      age: '19',
      sex: 'female',
      nationality: 'RO',
      languages: 'Roemeens, Engels, Roemeens',
      age_at_exploitation_start: '17',
      trafficking_status: 'possible',
      decision_organisation: 'Politie AVIM',
      relationship_to_perpetrator: 'intimate_partner',
    });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, `${base}?toegevoegd`);

    const [row] = await persons();
    assert.ok(row);
    assert.ok(row.name instanceof Buffer && row.contact instanceof Buffer);
    assert.ok(!row.name.toString('utf8').includes('Ioana'), 'the name column holds no plaintext');
    assert.ok(!row.contact.toString('latin1').includes('12345678'), 'the contact column holds no plaintext');
    assert.equal(row.age, 19);
    assert.equal(row.age_band, '18-24', 'the band follows from the age');
    assert.deepEqual(row.languages, ['Roemeens', 'Engels']);
    assert.equal(row.trafficking_status, 'possible');
    assert.equal(row.created_by, advisor.user.id);
    const [addedAudit, ...moreAudits] = await audits('case.person_added');
    assert.ok(addedAudit);
    assert.equal(moreAudits.length, 0);
    assert.deepEqual(addedAudit.details, { person: row.id });
    assert.equal(addedAudit.actor_user_id, advisor.user.id);

    const readsBefore = (await audits('case.persons_read')).length;
    const list = await advisor.client.get(`${base}?toegevoegd`);
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /De persoon is toegevoegd/);
    assert.match(list.body, new RegExp(`Casus ${theCase.number}: Personen`));
    assert.ok(list.body.includes(`Vermoedelijk slachtoffer: ${NAME}`));
    assert.ok(list.body.includes(CONTACT));
    assert.match(list.body, /Roemenië/);
    assert.match(list.body, /Mogelijk slachtoffer/);
    assert.match(list.body, /\(Ex-\)partner/);
    assert.equal((await audits('case.persons_read')).length, readsBefore + 1);
    // No personal data in URLs: links carry the row id only.
    assert.doesNotMatch(list.body, /href="[^"]*Ioana/);

    const english = await advisor.client.get(`/en${base}`);
    assert.match(english.body, /Presumed victim: Ioana/);
    assert.match(english.body, /Romania/);
  });

  it('does not store victim-only answers for another role', async () => {
    const added = await addPerson(advisor.client, {
      role: 'suspected_perpetrator',
      name: 'Marco',
      age_band: '35-44',
      trafficking_status: 'actual',
      decision_organisation: 'Iets',
      relationship_to_perpetrator: 'employer',
      age_at_exploitation_start: '12',
    });
    assert.equal(added.statusCode, 303);
    const row = (await persons()).find((p) => p.role === 'suspected_perpetrator');
    assert.ok(row);
    assert.equal(row.age_band, '35-44');
    assert.equal(row.age, null);
    assert.equal(row.trafficking_status, null);
    assert.equal(row.decision_organisation, null);
    assert.equal(row.relationship_to_perpetrator, null);
    assert.equal(row.age_at_exploitation_start, null);
  });

  it('shows the victim-only questions marked as such (hidden by CSS for other roles)', async () => {
    const form = await advisor.client.get(`${base}/nieuw`);
    const block = /<div[^>]*data-victim-only[\s\S]*?<button/.exec(form.body)?.[0] ?? '';
    assert.match(block, /<legend[^>]*>Alleen voor een vermoedelijk slachtoffer<\/legend>/);
    for (const field of ['age_at_exploitation_start', 'trafficking_status', 'decision_organisation']) {
      assert.match(block, new RegExp(`name="${field}"`));
    }
    assert.doesNotMatch(block, /name="name"/);
  });

  it('refuses invalid input with Dutch messages beside the fields and in a summary, keeping what was typed', async () => {
    const count = (await persons()).length;
    const refused = await addPerson(advisor.client, {
      name: 'Getypte naam',
      age: '130',
      nationality: 'ZZ',
    });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(refused.body), [
      'Kies de rol van deze persoon in de casus.',
      'Vul een leeftijd in als heel getal van 0 tot en met 120.',
      'Dit klopt niet. Kijk het na en probeer het opnieuw.',
    ]);
    assert.match(refused.body, /href="#f-role-presumed_victim"/);
    assert.match(refused.body, /id="f-age-error"[^>]*>Vul een leeftijd in/);
    assert.match(refused.body, /<title>Fout: /);
    assert.equal(inputValue(refused.body, 'name'), 'Getypte naam');
    assert.equal(inputValue(refused.body, 'age'), '130');

    const mismatch = await addPerson(advisor.client, {
      role: 'presumed_victim',
      age: '30',
      age_band: '12-17',
    });
    assert.equal(mismatch.statusCode, 400);
    assert.deepEqual(errorSummary(mismatch.body), [
      'Deze leeftijdsgroep past niet bij de leeftijd. Kies de juiste groep of laat de groep leeg.',
    ]);
    assert.equal((await persons()).length, count);
  });

  it('edits with optimistic locking: a conflict shows both versions and loses nothing', async () => {
    const row = (await persons()).find((p) => p.role === 'presumed_victim');
    assert.ok(row);
    const editPath = `${base}/${row.id}/bewerken`;
    const mine = await advisor.client.get(editPath);
    const theirs = await coordinator.client.get(editPath);
    assert.equal(mine.statusCode, 200);
    assert.equal(inputValue(mine.body, 'name'), NAME);
    assert.equal(inputValue(mine.body, 'version'), '1');

    const coordinatorSave = await coordinator.client.postForm(editPath, {
      _csrf: inputValue(theirs.body, '_csrf'),
      version: inputValue(theirs.body, 'version'),
      role: 'presumed_victim',
      name: 'Ioana (door coördinator)',
      age: '19',
    });
    assert.equal(coordinatorSave.statusCode, 303);

    const conflict = await advisor.client.postForm(editPath, {
      _csrf: inputValue(mine.body, '_csrf'),
      version: '1',
      role: 'presumed_victim',
      name: 'Ioana (door adviseur)',
      age: '20',
      nationality: 'MD',
    });
    assert.equal(conflict.statusCode, 409);
    assert.match(conflict.body, /Iemand anders heeft deze persoon intussen gewijzigd/);
    const stored = /data-conflict-stored[\s\S]*?<\/section>/.exec(conflict.body)?.[0] ?? '';
    const typed = /data-conflict-mine[\s\S]*?<\/section>/.exec(conflict.body)?.[0] ?? '';
    assert.match(stored, /Ioana \(door coördinator\)/);
    assert.match(typed, /Ioana \(door adviseur\)/);
    assert.match(typed, /Moldavië/);
    assert.equal(inputValue(conflict.body, 'name'), 'Ioana (door adviseur)', 'the form keeps what was typed');
    assert.equal(inputValue(conflict.body, 'version'), '2');
    const afterConflict = (await persons()).find((p) => p.id === row.id);
    assert.equal(afterConflict?.version, 2, 'nothing written on a conflict');

    const resolved = await advisor.client.postForm(editPath, {
      _csrf: inputValue(conflict.body, '_csrf'),
      version: inputValue(conflict.body, 'version'),
      role: 'presumed_victim',
      name: inputValue(conflict.body, 'name'),
      age: inputValue(conflict.body, 'age'),
      nationality: 'MD',
    });
    assert.equal(resolved.statusCode, 303);
    assert.equal(resolved.headers.location, `${base}?gewijzigd`);
    const list = await advisor.client.get(base);
    assert.match(list.body, /Ioana \(door adviseur\)/);
    assert.equal((await persons()).find((p) => p.id === row.id)?.version, 3);
    assert.equal((await audits('case.person_updated')).length, 2);
  });

  it('removes a person only after confirming', async () => {
    const row = (await persons()).find((p) => p.role === 'suspected_perpetrator');
    assert.ok(row);
    const removePath = `${base}/${row.id}/verwijderen`;
    const confirm = await advisor.client.get(removePath);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Wilt u deze persoon uit de casus verwijderen: Vermoedelijke dader: Marco\?/);
    assert.ok(
      (await persons()).some((p) => p.id === row.id),
      'the confirmation page removes nothing',
    );
    const removed = await advisor.client.postForm(removePath, { _csrf: inputValue(confirm.body, '_csrf') });
    assert.equal(removed.statusCode, 303);
    assert.equal(removed.headers.location, `${base}?verwijderd`);
    assert.ok(!(await persons()).some((p) => p.id === row.id));
    const audit = await audits('case.person_removed');
    assert.deepEqual(
      audit.map((a) => a.details),
      [{ person: row.id }],
    );
    const again = await advisor.client.postForm(removePath, { _csrf: inputValue(confirm.body, '_csrf') });
    assert.equal(again.statusCode, 404);
  });

  it('lets nobody without access to the case near its persons', async () => {
    const [row] = await persons();
    assert.ok(row);
    const before = (await persons()).length;
    const paths = [base, `${base}/nieuw`, `${base}/${row.id}/bewerken`, `${base}/${row.id}/verwijderen`];
    for (const path of paths) {
      const read = await outsider.client.get(path);
      assert.equal(read.statusCode, 303, path);
      assert.equal(read.headers.location, `/beheer/casussen/${theCase.id}/toegang`, path);
      assert.ok(!read.body.includes('Ioana'));
    }
    for (const path of paths.slice(1)) {
      const write = await outsider.client.postForm(path, { role: 'other', name: 'Indringer', version: '1' });
      assert.equal(write.statusCode, 303, path);
      assert.equal(write.headers.location, `/beheer/casussen/${theCase.id}/toegang`, path);
    }
    assert.equal((await persons()).length, before);
    const missing = await outsider.client.get(`/beheer/casussen/${randomUUID()}/personen`);
    assert.equal(missing.statusCode, 403);
    const outsiderAudits = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('actor_user_id', '=', outsider.user.id)
      .execute();
    assert.deepEqual(outsiderAudits, []);
    // A person of this case cannot be reached through another case.
    const crossed = await coordinator.client.get(
      `/beheer/casussen/${otherCase.id}/personen/${row.id}/bewerken`,
    );
    assert.equal(crossed.statusCode, 404);
  });
});

describe('age bands', () => {
  it('puts every age from 0 to 120 in exactly the band whose bounds contain it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), (age) => {
        const band = ageBandOf(age);
        assert.ok((ageBands as readonly string[]).includes(band));
        const [low, high] = band === '65+' ? [65, 120] : band.split('-').map(Number);
        assert.ok(low !== undefined && high !== undefined && age >= low && age <= high, `${age} in ${band}`);
      }),
    );
  });
});
