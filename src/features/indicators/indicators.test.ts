import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { errorSummary, inputValue } from '../../test/http-client.ts';
import { caseAudits, caseStaff, createTestCase, type SessionStaff, type TestCase } from '../../test/cases.ts';
import { createTestDatabase } from '../../test/database.ts';
import { loadIndicatorLists, syncIndicatorDefinitions } from './indicator-lists.ts';
import { changedIndicators, type IndicatorState } from './indicator-service.ts';

/** The HTML of one indicator's fieldset on the checklist page. */
function indicatorHtml(html: string, code: string): string {
  const match = new RegExp(`<fieldset[^>]*data-indicator="${code}"[^>]*>[\\s\\S]*?</fieldset>`).exec(html);
  assert.ok(match, `the checklist shows ${code}`);
  return match[0];
}

const isChecked = (html: string, code: string) =>
  /<input[^>]*type="checkbox"[^>]*checked/.test(indicatorHtml(html, code));

/** Every field of the checklist form as the browser would send it, with some changes on top. */
function formFields(html: string, changes: Record<string, string | undefined>): Record<string, string> {
  const fields = new Map<string, string>();
  for (const tag of html.match(/<input[^>]*>/g) ?? []) {
    const name = /name="([^"]+)"/.exec(tag)?.[1];
    if (!name) continue;
    if (/type="checkbox"/.test(tag)) {
      if (/checked/.test(tag)) fields.set(name, 'yes');
      continue;
    }
    // An empty value is left out of the HTML.
    fields.set(name, /value="/.test(tag) ? inputValue(tag, name) : '');
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) fields.delete(name);
    else fields.set(name, value);
  }
  return Object.fromEntries(fields);
}

describe('the indicator checklist of a case', () => {
  let t: TestApp;
  let advisor: SessionStaff;
  let coordinator: SessionStaff;
  let outsider: SessionStaff;
  let theCase: TestCase;
  let path = '';

  before(async () => {
    t = await createTestApp();
    ({ advisor, coordinator, outsider } = await caseStaff(t));
    theCase = await createTestCase(t, { assignedUserId: advisor.user.id, exploitationForms: ['labour'] });
    path = `/beheer/casussen/${theCase.id}/indicatoren`;
  });
  after(() => t.close());

  const assessments = () =>
    t.database.db
      .selectFrom('indicator_assessment')
      .selectAll()
      .where('case_id', '=', theCase.id)
      .orderBy('assessed_at')
      .execute();

  const auditActions = (action: string) => caseAudits(t, theCase.id, action);

  it('shows the lists grouped per form, the case’s own form open, the others folded, and audits the read', async () => {
    const before = (await auditActions('case.indicators_read')).length;
    const page = await advisor.client.get(path);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`Casus ${theCase.number}: Signalen`));
    assert.match(page.body, /data-case-sections/);
    assert.match(page.body, /aria-current="page"[^>]*>Signalen</);
    for (const form of ['general', 'criminal', 'sexual', 'labour']) {
      assert.match(page.body, new RegExp(`data-indicator-form="${form}"`));
    }
    // The 11 ILO indicators for labour, open because the case is about labour exploitation.
    assert.equal((page.body.match(/data-indicator="labour_[a-z_]+"/g) ?? []).length, 11);
    assert.match(page.body, /<details open[^>]*data-expanded="yes"/);
    const order = ['general', 'labour', 'criminal', 'sexual'].map((f) =>
      page.body.indexOf(`data-indicator-form="${f}"`),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'general, the case’s form, then the rest',
    );
    assert.match(page.body, /data-indicator-form="criminal"[\s\S]*?data-expanded="no"/);
    assert.match(page.body, /0 van 14 aangevinkt/);
    assert.doesNotMatch(page.body, /score|percent/i, 'no verdict or score');
    const reads = await auditActions('case.indicators_read');
    assert.equal(reads.length, before + 1);
    assert.equal(reads.at(-1)?.actor_user_id, advisor.user.id);
  });

  it('saves only what changed, and shows who ticked what, when, with the remark', async () => {
    const page = await advisor.client.get(path);
    const saved = await advisor.client.postForm(
      path,
      formFields(page.body, {
        present_high_debt: 'yes',
        remark_high_debt: 'Schuld van € 4000 voor de reis',
        present_labour_excessive_overtime: 'yes',
      }),
    );
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `${path}?opgeslagen=2`);
    const rows = await assessments();
    assert.deepEqual(rows.map((r) => [r.code, r.present, r.remark, r.assessed_by, r.list_version]).sort(), [
      ['high_debt', true, 'Schuld van € 4000 voor de reis', advisor.user.id, '2026-1'],
      ['labour_excessive_overtime', true, null, advisor.user.id, '2026-1'],
    ]);
    const audits = await auditActions('case.indicator_assessed');
    assert.equal(audits.length, 1);
    assert.deepEqual(audits[0]?.details, { changed: 2, list_version: '2026-1' });

    const after = await advisor.client.get(`${path}?opgeslagen=2`);
    assert.match(after.body, /Opgeslagen: 2 signalen gewijzigd/);
    const debt = indicatorHtml(after.body, 'high_debt');
    assert.ok(isChecked(after.body, 'high_debt'));
    assert.match(debt, /Aangevinkt door Ada Adviseur op \d{1,2} [a-z]{3}\.? 2026/);
    assert.match(debt, /value="Schuld van € 4000 voor de reis"/);
    assert.match(after.body, /1 van 14 aangevinkt/);
    assert.match(after.body, /1 van 11 aangevinkt/);

    // The same form again, unchanged: nothing is written.
    const again = await advisor.client.postForm(path, formFields(after.body, {}));
    assert.equal(again.headers.location, `${path}?opgeslagen=0`);
    assert.equal((await assessments()).length, 2);
    assert.equal((await auditActions('case.indicator_assessed')).length, 1);
  });

  it('keeps every change as history, and a form opened earlier does not undo someone else’s tick', async () => {
    const stale = await advisor.client.get(path);
    const coordinatorPage = await coordinator.client.get(path);
    const unticked = await coordinator.client.postForm(
      path,
      formFields(coordinatorPage.body, {
        present_high_debt: undefined,
        remark_high_debt: 'Schuld blijkt afgelost',
        present_isolated_watched: 'yes',
      }),
    );
    assert.equal(unticked.headers.location, `${path}?opgeslagen=2`);
    // The advisor, on the page opened before, only adds a remark elsewhere.
    const late = await advisor.client.postForm(
      path,
      formFields(stale.body, { remark_unaware_of_address: 'Weet de straat niet' }),
    );
    assert.equal(late.headers.location, `${path}?opgeslagen=1`);

    const page = await advisor.client.get(path);
    assert.ok(!isChecked(page.body, 'high_debt'), 'the coordinator’s untick stands');
    assert.ok(isChecked(page.body, 'isolated_watched'), 'the coordinator’s tick stands');
    const debt = indicatorHtml(page.body, 'high_debt');
    assert.match(debt, /Uitgevinkt door Cor Coördinator op/);
    assert.equal((debt.match(/data-history-row/g) ?? []).length, 2);
    assert.match(
      debt,
      /aangevinkt door Ada Adviseur\.\s*Toelichting: <q>Schuld van € 4000 voor de reis<\/q>/,
    );
    assert.match(debt, /uitgevinkt door Cor Coördinator\.\s*Toelichting: <q>Schuld blijkt afgelost<\/q>/);
    const address = (await assessments()).filter((r) => r.code === 'unaware_of_address');
    assert.deepEqual(
      address.map((r) => [r.present, r.remark]),
      [[false, 'Weet de straat niet']],
    );
  });

  it('refuses a remark that is too long, keeps what was typed and stores nothing', async () => {
    const count = (await assessments()).length;
    const page = await advisor.client.get(path);
    const long = 'x'.repeat(1001);
    const refused = await advisor.client.postForm(
      path,
      formFields(page.body, { remark_false_promises: long, present_medical_help_withheld: 'yes' }),
    );
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(refused.body), [
      'Deze toelichting is te lang. Gebruik maximaal 1000 tekens.',
    ]);
    assert.match(refused.body, /href="#f-remark_false_promises"/);
    assert.ok(refused.body.includes(`value="${long}"`));
    assert.ok(isChecked(refused.body, 'medical_help_withheld'), 'the typed tick is kept');
    assert.equal((await assessments()).length, count);
  });

  it('refuses a form without a valid CSRF token', async () => {
    const page = await advisor.client.get(path);
    const refused = await advisor.client.postForm(
      path,
      formFields(page.body, { _csrf: 'forged', present_false_promises: 'yes' }),
    );
    assert.equal(refused.statusCode, 403);
    assert.ok(!(await assessments()).some((r) => r.code === 'false_promises'));
  });

  it('keeps assessments made against an older list visible with their own labels', async () => {
    await t.database.db
      .insertInto('indicator_definition')
      .values({
        list_version: '2025-1',
        code: 'old_indicator',
        form: 'general',
        position: 1,
        label_nl: 'Een signaal uit de oude lijst',
        label_en: 'An indicator from the old list',
      })
      .execute();
    await t.database.db
      .insertInto('indicator_assessment')
      .values({
        id: randomUUID(),
        case_id: theCase.id,
        list_version: '2025-1',
        code: 'old_indicator',
        present: true,
        remark: 'Toen gezien',
        assessed_by: coordinator.user.id,
      })
      .execute();
    const page = await advisor.client.get(path);
    assert.match(page.body, /Signalen uit eerdere lijsten/);
    const earlier =
      /data-earlier-indicator="old_indicator"[\s\S]*?<\/li>\s*<\/ul>/.exec(page.body)?.[0] ?? '';
    assert.match(earlier, /Een signaal uit de oude lijst/);
    assert.match(earlier, /lijst 2025-1/);
    assert.match(earlier, /Aangevinkt door Cor Coördinator/);
    assert.match(earlier, /Toen gezien/);
    const english = await advisor.client.get(`/en${path}`);
    assert.match(english.body, /An indicator from the old list/);
  });

  it('lets nobody without access to the case read or change the checklist', async () => {
    const count = (await assessments()).length;
    // An advisor outside the case is sent to state a reason first (break the glass), never shown it.
    const read = await outsider.client.get(path);
    assert.equal(read.statusCode, 303);
    assert.equal(read.headers.location, `/beheer/casussen/${theCase.id}/toegang`);
    const page = await advisor.client.get(path);
    const write = await outsider.client.postForm(
      path,
      formFields(page.body, { present_labour_isolation: 'yes' }),
    );
    assert.equal(write.statusCode, 303);
    assert.equal(write.headers.location, `/beheer/casussen/${theCase.id}/toegang`);
    assert.equal((await assessments()).length, count);
    // A case that does not exist looks like one that is not theirs.
    const missing = await outsider.client.get(`/beheer/casussen/${randomUUID()}/indicatoren`);
    assert.equal(missing.statusCode, 403);
    const reads = await t.database.db
      .selectFrom('audit_event')
      .select('id')
      .where('actor_user_id', '=', outsider.user.id)
      .where('action', 'like', 'case.indicator%')
      .execute();
    assert.equal(reads.length, 0);
  });
});

describe('indicator lists as versioned data', () => {
  it('loads every list once, and refuses a changed label for a published version', async () => {
    const database = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'baken-indicators-'));
    try {
      const definitions = loadIndicatorLists();
      assert.equal(definitions.filter((d) => d.form === 'labour').length, 11);
      assert.equal(await syncIndicatorDefinitions(database.db, definitions), 0, 'already loaded at setup');
      const changed = definitions.map((d) =>
        d.code === 'high_debt' ? { ...d, labelNl: 'Een andere tekst' } : d,
      );
      await assert.rejects(syncIndicatorDefinitions(database.db, changed), /2026-1\/high_debt/);
      writeFileSync(
        join(dir, '2027-1.json'),
        JSON.stringify({
          list_version: '2027-1',
          forms: { general: [{ code: 'high_debt', nl: 'Hoge schuld', en: 'High debt' }] },
        }),
      );
      assert.equal(await syncIndicatorDefinitions(database.db, loadIndicatorLists(dir)), 1);
      assert.equal(await syncIndicatorDefinitions(database.db, loadIndicatorLists(dir)), 0);
      writeFileSync(join(dir, '2027-2.json'), JSON.stringify({ list_version: '2027-1', forms: {} }));
      assert.throws(() => loadIndicatorLists(dir), /holds list version "2027-1"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.close();
    }
  });
});

describe('which indicators a saved checklist writes', () => {
  const state = fc.record({
    present: fc.boolean(),
    remark: fc.option(fc.constantFrom('a', 'b', 'lang verhaal'), { nil: null }),
  });
  const codes = ['a1', 'a2', 'a3', 'a4', 'a5'];
  const states = fc.dictionary(fc.constantFrom(...codes), state) as fc.Arbitrary<
    Record<string, IndicatorState>
  >;
  /** A form always shows every indicator of the list. */
  const completeStates = fc.record(Object.fromEntries(codes.map((code) => [code, state]))) as fc.Arbitrary<
    Record<string, IndicatorState>
  >;
  const toMap = (record: Record<string, IndicatorState>) => new Map(Object.entries(record));
  const same = (a: IndicatorState | undefined, b: IndicatorState | undefined) =>
    (a?.present ?? false) === (b?.present ?? false) && (a?.remark ?? null) === (b?.remark ?? null);

  it('writes exactly the indicators the person changed that differ from what is stored', () => {
    fc.assert(
      fc.property(states, states, states, (submitted, shown, stored) => {
        const changes = changedIndicators(codes, toMap(submitted), toMap(shown), toMap(stored));
        for (const code of codes) {
          const baseline = code in shown ? shown[code] : stored[code];
          const expected = !same(submitted[code], baseline) && !same(submitted[code], stored[code]);
          const change = changes.find((c) => c.code === code);
          assert.equal(change !== undefined, expected, code);
          if (change) assert.ok(same(change.state, submitted[code]), 'the new state is what was sent');
        }
      }),
    );
  });

  it('writes nothing for a form sent back as it was shown', () => {
    fc.assert(
      fc.property(completeStates, states, (shown, stored) => {
        assert.deepEqual(changedIndicators(codes, toMap(shown), toMap(shown), toMap(stored)), []);
      }),
    );
  });
});
