import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { assertNoAxeViolations, startBrowserHarness, type BrowserHarness } from '../../test/browser.ts';
import { createStaffUser } from '../../test/staff.ts';
import { STAFF_COOKIE, createStaffSession } from '../auth/session-service.ts';
import { cookieName } from '../../web/cookies.ts';
import { createTestCase, createTestTeam, staffWithSession } from '../../test/cases.ts';
import { seedReport } from '../../test/reports.ts';
import { errorSummary, hiddenFieldsOf, inputValue, type TestClient } from '../../test/http-client.ts';
import type { CaseStatus, Urgency } from '../../db/schema.ts';
import { dutchWordVariants, widenableWords } from './dutch-variants.ts';
import {
  MARK_START,
  MARK_STOP,
  RARE_MATCHES,
  SEARCH_PAGE_SIZE,
  formatSearchCursor,
  headlineParts,
  parseSearchCursor,
  search,
  type SearchCursor,
} from './search-service.ts';

interface CaseSpec {
  title?: string;
  summary?: string;
  status?: CaseStatus;
  urgency?: Urgency;
  municipality?: string;
  forms?: string[];
  assignedUserId?: string | null;
  teamId?: string | null;
  createdAt?: Date;
}

async function addCase(t: TestApp, spec: CaseSpec = {}): Promise<string> {
  const { id } = await createTestCase(t, {
    assignedUserId: spec.assignedUserId ?? null,
    teamId: spec.teamId ?? null,
    exploitationForms: spec.forms ?? ['labour'],
    ...(spec.title ? { title: spec.title } : {}),
  });
  await t.database.db
    .updateTable('case_file')
    .set({
      summary: spec.summary ?? '',
      status: spec.status ?? 'in_progress',
      urgency: spec.urgency ?? 'normal',
      municipality: spec.municipality ?? 'GM0153',
      ...(spec.createdAt ? { created_at: spec.createdAt } : {}),
    } as never)
    .where('id', '=', id)
    .execute();
  return id;
}

async function addNote(t: TestApp, caseId: string, body: string, createdAt = new Date()): Promise<string> {
  const id = randomUUID();
  await t.database.db
    .insertInto('case_note')
    .values({ id, case_id: caseId, body, created_at: createdAt })
    .execute();
  return id;
}

/** The hits on a result page, in order, as "kind:id". */
const hitsOf = (html: string) =>
  [...html.matchAll(/data-hit-kind="([a-z]+)" data-hit-id="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);

const SEARCH = '/beheer/zoeken';

/** Searches the way a browser does: open the form, then post it with the page's CSRF token. */
async function postSearch(client: TestClient, params: Record<string, string>, path = SEARCH) {
  const page = await client.get(path);
  assert.equal(page.statusCode, 200, `${path} opens`);
  return client.postForm(path, { _csrf: inputValue(page.body, '_csrf'), ...params });
}

async function searchFor(client: TestClient, params: Record<string, string>) {
  const response = await postSearch(client, params);
  assert.equal(response.statusCode, 200, response.body.slice(0, 500));
  return response.body;
}

/** Every hit of a search, pressing "next" while there is one; fails if the pages do not end. */
async function allPages(client: TestClient, params: Record<string, string>): Promise<string[][]> {
  const pages: string[][] = [];
  let response = await postSearch(client, params);
  for (;;) {
    assert.equal(response.statusCode, 200);
    pages.push(hitsOf(response.body));
    assert.ok(pages.length < 100, 'pagination ends');
    const next = hiddenFieldsOf(response.body, 'data-next-page');
    if (!next) return pages;
    response = await client.postForm(SEARCH, next);
  }
}

/** A word of letters only that the Dutch stemmer leaves as it is, unique to one test. */
const uniqueWord = () =>
  `zx${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 10)}q`;

describe('search: pure parts', () => {
  it('widens a verb or noun with its participle and a participle with its verb', () => {
    assert.ok(dutchWordVariants('uitbuiting').includes('uitgebuit'));
    assert.ok(dutchWordVariants('uitbuiten').includes('uitgebuit'));
    assert.deepEqual(dutchWordVariants('uitgebuit'), ['uitbuiten']);
    assert.ok(dutchWordVariants('werken').includes('gewerkt'));
    assert.deepEqual(dutchWordVariants('gewerkt'), ['werken']);
    assert.deepEqual(dutchWordVariants('verkopen'), [], 'no ge- after an unstressed prefix');
    assert.deepEqual(dutchWordVariants('kas'), [], 'short words stay as they are');
    assert.deepEqual(dutchWordVariants('mensenhandel'), [], 'a word without a verb ending');
    assert.deepEqual(
      widenableWords('"Uitbuiting" OR -werken de kas').map((w) => w.word),
      ['uitbuiting', 'werken'],
    );
  });

  it('splits a headline at the markers only, into text parts', () => {
    assert.deepEqual(headlineParts(`a <b>${MARK_START}uitgebuit${MARK_STOP} & c`), [
      { text: 'a <b>', marked: false },
      { text: 'uitgebuit', marked: true },
      { text: ' & c', marked: false },
    ]);
    assert.deepEqual(headlineParts(null), []);
  });

  it('reads back every cursor it writes, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.uuid(), (atMicros, id) => {
        assert.deepEqual(parseSearchCursor(formatSearchCursor({ atMicros, id })), { atMicros, id });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (value) => {
        const cursor = parseSearchCursor(value);
        if (cursor) assert.equal(formatSearchCursor(cursor), value);
      }),
    );
    assert.equal(parseSearchCursor(Buffer.from('99999999999999999.x').toString('base64url')), undefined);
  });
});

describe('search over HTTP', () => {
  let t: TestApp;
  let coordinator: TestClient;
  let advisor: { client: TestClient; userId: string };
  let teamId: string;

  before(async () => {
    t = await createTestApp();
    coordinator = (await staffWithSession(t, 'coordinator')).client;
    const advisorSession = await staffWithSession(t, 'advisor');
    advisor = { client: advisorSession.client, userId: advisorSession.user.id };
    teamId = await createTestTeam(t, [advisor.userId]);
  });
  after(() => t.close());

  it('is linked from the back office home for those who may search, and refused to others', async () => {
    const home = await coordinator.get('/beheer');
    assert.match(home.body, /<a class="utrecht-link" href="\/beheer\/zoeken" data-search-link>Zoeken<\/a>/);
    const admin = await staffWithSession(t, 'admin');
    assert.doesNotMatch((await admin.client.get('/beheer')).body, /data-search-link/);
    assert.equal((await admin.client.get(SEARCH)).statusCode, 403);
    assert.equal((await admin.client.postForm(SEARCH, { q: 'kas' })).statusCode, 403);
    const english = await coordinator.get('/en/beheer/zoeken');
    assert.equal(english.statusCode, 200);
    assert.match(english.body, /<h1 class="utrecht-heading-1">Search<\/h1>/);
    const englishResults = await postSearch(coordinator, { q: 'kas' }, '/en/beheer/zoeken');
    assert.equal(englishResults.statusCode, 200);
    assert.match(englishResults.body, /id="results-heading"/);
  });

  it('finds uitgebuit and uitbuiten when searching for uitbuiting (Dutch stemming)', async () => {
    const caseId = await addCase(t);
    const participle = await addNote(t, caseId, 'Zij zegt dat zij jarenlang is uitgebuit in een nagelsalon.');
    const infinitive = await addNote(
      t,
      caseId,
      'Werkgevers die arbeidsmigranten uitbuiten, worden aangepakt.',
    );
    const noun = await addNote(t, caseId, 'Vermoedelijk gaat het om uitbuiting in de bouw.');
    const unrelated = await addNote(t, caseId, 'Afspraak gemaakt met de zorgcoördinator over opvang.');
    const hits = hitsOf(await searchFor(coordinator, { q: 'uitbuiting', type: 'notities' }));
    for (const id of [participle, infinitive, noun])
      assert.ok(hits.includes(`note:${id}`), `finds note ${id}`);
    assert.ok(!hits.includes(`note:${unrelated}`));
    const back = hitsOf(await searchFor(coordinator, { q: 'uitgebuit', type: 'notities' }));
    assert.ok(
      back.includes(`note:${noun}`) && back.includes(`note:${participle}`),
      'and the other way round',
    );
  });

  it('narrows by status, urgency, form, municipality and date range', async () => {
    const word = uniqueWord();
    const base = new Date('2026-03-10T10:00:00Z');
    const matching = await addCase(t, {
      title: `Casus ${word}`,
      status: 'triage',
      urgency: 'high',
      municipality: 'GM0164',
      forms: ['criminal'],
      createdAt: base,
    });
    const others = await Promise.all([
      addCase(t, {
        title: `Casus ${word}`,
        status: 'closed',
        urgency: 'high',
        municipality: 'GM0164',
        forms: ['criminal'],
        createdAt: base,
      }),
      addCase(t, {
        title: `Casus ${word}`,
        status: 'triage',
        urgency: 'low',
        municipality: 'GM0164',
        forms: ['criminal'],
        createdAt: base,
      }),
      addCase(t, {
        title: `Casus ${word}`,
        status: 'triage',
        urgency: 'high',
        municipality: 'GM0141',
        forms: ['criminal'],
        createdAt: base,
      }),
      addCase(t, {
        title: `Casus ${word}`,
        status: 'triage',
        urgency: 'high',
        municipality: 'GM0164',
        forms: ['sexual'],
        createdAt: base,
      }),
      addCase(t, {
        title: `Casus ${word}`,
        status: 'triage',
        urgency: 'high',
        municipality: 'GM0164',
        forms: ['criminal'],
        createdAt: new Date('2026-04-02T10:00:00Z'),
      }),
    ]);
    const report = await seedReport(t, {
      narrative: `Melding over ${word}`,
      municipality: 'GM0164',
      exploitation_forms: ['criminal'],
    });

    const unfiltered = hitsOf(await searchFor(coordinator, { q: word }));
    assert.equal(unfiltered.length, 7);
    const filtered = await searchFor(coordinator, {
      q: word,
      status: 'triage',
      urgentie: 'high',
      vorm: 'criminal',
      gemeente: 'GM0164',
      van: '2026-03-01',
      tot: '2026-03-31',
    });
    assert.deepEqual(hitsOf(filtered), [`case:${matching}`]);
    assert.match(filtered, /Meldingen hebben geen status of urgentie/);
    assert.equal(inputValue(filtered, 'van'), '2026-03-01', 'the filters stay filled in');
    assert.match(filtered, /<option value="GM0164" selected>Hengelo<\/option>/);

    const reportsToo = hitsOf(
      await searchFor(coordinator, { q: word, gemeente: 'GM0164', vorm: 'criminal', tot: '2026-03-31' }),
    );
    assert.deepEqual(
      new Set(reportsToo),
      new Set([`case:${matching}`, `case:${others[0]}`, `case:${others[1]}`]),
    );
    const onlyReports = hitsOf(await searchFor(coordinator, { q: word, type: 'meldingen' }));
    assert.deepEqual(onlyReports, [`report:${report}`]);
  });

  it('shows an advisor only their own and their team’s cases and notes, and reports', async () => {
    const word = uniqueWord();
    const colleague = await staffWithSession(t, 'advisor');
    const own = await addCase(t, { title: `Eigen ${word}`, assignedUserId: advisor.userId, teamId: null });
    const team = await addCase(t, { title: `Team ${word}`, assignedUserId: colleague.user.id, teamId });
    const otherTeam = await addCase(t, {
      title: `Ander ${word}`,
      assignedUserId: colleague.user.id,
      teamId: await createTestTeam(t),
    });
    const unassigned = await addCase(t, { title: `Niemand ${word}`, assignedUserId: null, teamId: null });
    const notes = await Promise.all(
      [own, team, otherTeam, unassigned].map((id) => addNote(t, id, `Notitie ${word}`)),
    );
    const report = await seedReport(t, { narrative: `Melding ${word}` });

    const seen = new Set((await allPages(advisor.client, { q: word })).flat());
    assert.deepEqual(
      seen,
      new Set([`case:${own}`, `case:${team}`, `note:${notes[0]}`, `note:${notes[1]}`, `report:${report}`]),
    );
    const all = new Set((await allPages(coordinator, { q: word })).flat());
    assert.equal(all.size, 9, 'a coordinator sees every case and note');
  });

  it('pages with a keyset: every hit exactly once, newest first, whatever the number of hits', async () => {
    const instants = [0, 1, 2].map((i) => new Date(Date.UTC(2025, 5, 1 + i, 12)));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 * SEARCH_PAGE_SIZE + 5 }),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom('alles', 'notities'),
        async (noteCount, reportCount, type) => {
          const word = uniqueWord();
          const caseId = await addCase(t, { title: `Casus ${word}`, createdAt: instants[1] });
          const expected = new Set<string>(type === 'alles' ? [`case:${caseId}`] : []);
          // Many hits share a timestamp, so the id has to break ties for no hit to be lost or repeated.
          for (let i = 0; i < noteCount; i++) {
            expected.add(`note:${await addNote(t, caseId, `Notitie ${i} ${word}`, instants[i % 3])}`);
          }
          for (let i = 0; i < reportCount; i++) {
            const id = await seedReport(t, { narrative: `Melding ${word}` }, instants[i % 3]);
            if (type === 'alles') expected.add(`report:${id}`);
          }
          const pages = await allPages(coordinator, { q: word, type });
          const listed = pages.flat();
          assert.equal(listed.length, expected.size, 'no hit listed twice');
          assert.deepEqual(new Set(listed), expected, 'every hit listed');
          assert.ok(pages.slice(0, -1).every((page) => page.length === SEARCH_PAGE_SIZE));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('pages the same way whether a word is common (date order) or rare (matches first)', async () => {
    const coordinatorUser = await staffWithSession(t, 'coordinator');
    const principal = {
      userId: coordinatorUser.user.id,
      role: 'coordinator' as const,
      teamId: null,
      displayName: 'Test',
      sessionId: 'test',
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.boolean(), async (noteCount, common) => {
        const word = uniqueWord();
        const caseId = await addCase(t, { title: `Casus ${word}` });
        for (let i = 0; i < noteCount; i++) {
          await addNote(t, caseId, `Notitie ${word}`, new Date(Date.UTC(2025, 0, 1 + (i % 4))));
        }
        const listed: { id: string; at: number }[] = [];
        let cursor: SearchCursor | undefined;
        for (let page = 0; page < 10; page++) {
          const outcome = await search(
            t.database.db,
            principal,
            { text: word, type: 'alles', filters: {}, cursor },
            randomUUID(),
            { rareBelow: common ? 0 : RARE_MATCHES },
          );
          assert.equal(outcome.status, 'done');
          listed.push(...outcome.hits.map((hit) => ({ id: hit.id, at: hit.at.getTime() })));
          if (!outcome.next) break;
          cursor = outcome.next;
        }
        assert.equal(listed.length, noteCount + 1);
        assert.equal(new Set(listed.map((hit) => hit.id)).size, noteCount + 1);
        for (let i = 1; i < listed.length; i++) {
          const [before, after] = [listed[i - 1], listed[i]];
          assert.ok(
            before && after && (before.at > after.at || (before.at === after.at && before.id > after.id)),
          );
        }
      }),
      { numRuns: 10 },
    );
  });

  it('renders HTML and scripts in content as text, in titles and in highlighted headlines', async () => {
    const word = uniqueWord();
    const caseId = await addCase(t, { title: `<img src=x onerror=alert(1)> ${word}` });
    await addNote(
      t,
      caseId,
      `<script>alert("notitie")</script> ${word} <b>vet</b> loon < minimum & schuld nep${MARK_START}markering${MARK_STOP}`,
    );
    await seedReport(t, { narrative: `<iframe src="https://example.org"></iframe> ${word}` });
    const html = await searchFor(coordinator, { q: word });
    assert.equal(hitsOf(html).length, 3);
    for (const raw of ['<script>alert', '<img src=x', '<b>vet', '<iframe'])
      assert.ok(!html.includes(raw), raw);
    // ts_headline drops what its parser takes for tags; whatever is left is text, escaped.
    assert.ok(html.includes('loon &lt; minimum &amp; schuld'));
    assert.ok(
      html.includes('&lt;img src=x onerror=alert(1)>') || html.includes('&lt;img src=x onerror=alert(1)&gt;'),
    );
    assert.equal((html.match(new RegExp(`<mark>${word}</mark>`, 'g')) ?? []).length, 2, 'the word is marked');
    assert.ok(!html.includes('<mark>markering</mark>'), 'stored control characters cannot fake a mark');
    assert.ok(!html.includes(MARK_START) && !html.includes(MARK_STOP));
  });

  it('never answers an odd query with an error page', async () => {
    const odd = [
      '"',
      "'",
      '!',
      '&|',
      '-',
      'a:*',
      '\\',
      '(',
      ')',
      '<->',
      'OR',
      '"de kas',
      '- - -',
      '@@',
      'uitbuiting & !',
      '\u0000kas',
      '😀 kas',
    ];
    for (const q of odd) {
      const response = await postSearch(coordinator, { q });
      assert.equal(response.statusCode, 200, `q=${JSON.stringify(q)}`);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom('alles', 'casussen', 'meldingen', 'notities', 'x'),
        async (q, type) => {
          const response = await postSearch(coordinator, { q, type });
          assert.ok(
            [200, 400].includes(response.statusCode),
            `q=${JSON.stringify(q)}: ${response.statusCode}`,
          );
        },
      ),
      { numRuns: 60 },
    );
    const cursor = await postSearch(coordinator, { q: 'kas', vanaf: 'not-a-cursor!' });
    assert.equal(cursor.statusCode, 200);
  });

  it('says so when nothing is found, or when there is nothing to search for', async () => {
    const none = await searchFor(coordinator, { q: uniqueWord(), type: 'casussen', status: 'closed' });
    assert.match(none, /data-no-results/);
    assert.match(none, /Er is niets gevonden/);
    assert.match(none, /Kies bij Zoeken in voor Alles/);
    assert.match(none, /Zoek opnieuw zonder filters/);
    const withoutFilters = hiddenFieldsOf(none, 'data-without-filters');
    assert.ok(withoutFilters && withoutFilters.type === 'casussen' && withoutFilters.q);
    assert.equal(withoutFilters.status, undefined, 'the button drops the filters');
    const again = await coordinator.postForm(SEARCH, withoutFilters);
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /id="results-heading"/);
    assert.doesNotMatch(again.body, /<option value="closed" selected>/);
    const stopWords = await searchFor(coordinator, { q: 'de het een' });
    assert.match(stopWords, /data-no-terms/);
    const blank = await searchFor(coordinator, {});
    assert.doesNotMatch(blank, /id="results-heading"/, 'no results before a search');
  });

  it('keeps what was typed and explains a wrong date or a query that is too long', async () => {
    const response = await postSearch(coordinator, { q: 'kas', van: '2026-02-30', tot: 'morgen' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Vul een bestaande datum in als jaar-maand-dag, bijvoorbeeld 2026-03-31.',
      'Vul een bestaande datum in als jaar-maand-dag, bijvoorbeeld 2026-03-31.',
    ]);
    assert.equal(inputValue(response.body, 'tot'), 'morgen');
    assert.match(response.body, /<title>Fout:/);
    const order = await postSearch(coordinator, { q: 'kas', van: '2026-03-02', tot: '2026-03-01' });
    assert.deepEqual(errorSummary(order.body), [
      'De tot-datum ligt vóór de vanaf-datum. Vul een latere datum in.',
    ]);
    const long = await postSearch(coordinator, { q: 'k'.repeat(201) });
    assert.equal(long.statusCode, 400);
    assert.match(errorSummary(long.body)[0] ?? '', /200/);
  });

  it('audits each search with its kind and filters, but never the words searched for', async () => {
    const secret = `Janssen${uniqueWord()}`;
    const before = await t.database.db
      .selectFrom('audit_event')
      .select('seq')
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    await searchFor(advisor.client, { q: secret, type: 'notities', gemeente: 'GM0153', van: '2026-01-01' });
    const rows = await t.database.db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', before?.seq ?? 0)
      .where('action', '=', 'search.performed')
      .execute();
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.ok(row);
    assert.equal(row.actor_user_id, advisor.userId);
    assert.deepEqual(row.details, {
      type: 'notities',
      later_page: false,
      municipality: 'GM0153',
      from: '2026-01-01',
    });
    assert.ok(!JSON.stringify(rows).toLowerCase().includes(secret.toLowerCase()));
    assert.ok(!JSON.stringify(t.logLines).toLowerCase().includes(secret.toLowerCase()), 'nor in the logs');
  });

  it('never puts the words searched for in a URL, and does not search from a query string', async () => {
    const word = `Pietersen${uniqueWord()}`;
    const caseId = await addCase(t, { title: `Casus ${word}`, status: 'triage' });
    for (let i = 0; i < SEARCH_PAGE_SIZE + 3; i++) await addNote(t, caseId, `Notitie ${i} ${word}`);
    const filters = { type: 'alles', gemeente: 'GM0153', van: '2020-01-01' };
    const first = await postSearch(coordinator, { q: word, ...filters });
    const nextFields = hiddenFieldsOf(first.body, 'data-next-page');
    assert.ok(nextFields?.vanaf, 'a next-page form with the cursor');
    assert.equal(nextFields.q, word);
    assert.equal(nextFields.gemeente, 'GM0153');
    const later = await coordinator.postForm(SEARCH, nextFields);
    const firstFields = hiddenFieldsOf(later.body, 'data-first-page');
    assert.ok(firstFields && firstFields.vanaf === undefined, 'a first-page form without the cursor');
    const back = await coordinator.postForm(SEARCH, firstFields);
    assert.deepEqual(hitsOf(back.body), hitsOf(first.body), 'back to the same first page');
    const none = await postSearch(coordinator, { q: word, status: 'closed' });
    assert.ok(hiddenFieldsOf(none.body, 'data-without-filters'));
    const invalid = await postSearch(coordinator, { q: word, van: 'gisteren' });
    assert.equal(invalid.statusCode, 400);
    assert.equal(inputValue(invalid.body, 'q'), word, 'the words are kept, in the form');

    const responses = [first, later, back, none, invalid];
    for (const response of responses) {
      assert.equal(response.headers.location, undefined, 'no redirect');
      for (const url of response.body.matchAll(/(?:href|action)="([^"]*)"/g)) {
        assert.ok(!url[1]?.toLowerCase().includes('pietersen'), `no search words in ${url[0]}`);
      }
    }
    assert.match(later.body, /<nav class="baken-pagination" aria-label="Meer resultaten">/);
    assert.match(first.body, /<nav class="baken-pagination" aria-label="Meer resultaten">/);
    assert.match(first.body, /<button[^>]*>Volgende resultaten<\/button>/);
    assert.match(later.body, /<button[^>]*>Terug naar de eerste resultaten<\/button>/);

    const auditedBefore = await t.database.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('action', '=', 'search.performed')
      .executeTakeFirstOrThrow();
    const viaUrl = await coordinator.get(`${SEARCH}?q=${word}&type=alles`);
    assert.equal(viaUrl.statusCode, 200);
    assert.doesNotMatch(viaUrl.body, /id="results-heading"/, 'a query string searches nothing');
    assert.ok(!viaUrl.body.includes(word), 'nor fills in the form');
    const auditedAfter = await t.database.db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('action', '=', 'search.performed')
      .executeTakeFirstOrThrow();
    assert.equal(Number(auditedAfter.count), Number(auditedBefore.count), 'and audits no search');
  });

  it('refuses a search without a valid CSRF token', async () => {
    await coordinator.get(SEARCH);
    const forged = await coordinator.postForm(SEARCH, { _csrf: 'forged', q: 'kas' });
    assert.equal(forged.statusCode, 403);
    assert.doesNotMatch(forged.body, /id="results-heading"/);
  });
});

describe('search in a browser', { timeout: 300_000 }, () => {
  let h: BrowserHarness;

  before(async () => {
    h = await startBrowserHarness();
  });
  after(() => (h as BrowserHarness | undefined)?.close());

  it('searches and pages by buttons, with the words never in the address bar, and passes axe', async () => {
    const { testApp } = h;
    const coordinator = await createStaffUser(testApp.app, 'coordinator');
    const sessionId = await createStaffSession(testApp.database.db, coordinator.id, 'full');
    await h.context.addCookies([
      { name: cookieName(testApp.config, STAFF_COOKIE), value: sessionId, url: h.baseUrl },
    ]);
    const word = `Pietersen${uniqueWord()}`;
    const caseId = await addCase(testApp, { title: `Casus ${word}` });
    for (let i = 0; i < SEARCH_PAGE_SIZE + 2; i++) await addNote(testApp, caseId, `Notitie ${i} ${word}`);
    const searchPage = `${h.baseUrl}/beheer/zoeken`;

    const page = await h.newPage();
    await page.goto(searchPage);
    await page.getByLabel('Zoekwoorden').fill(word);
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await page.getByRole('heading', { name: 'Resultaten' }).waitFor();
    assert.equal(page.url(), searchPage, 'the words are not in the address');
    assert.equal(await page.locator('[data-hit-kind]').count(), SEARCH_PAGE_SIZE);
    await assertNoAxeViolations(page, 'search results with a next page');

    const pages = page.getByRole('navigation', { name: 'Meer resultaten' });
    await pages.getByRole('button', { name: 'Volgende resultaten' }).click();
    await pages.getByRole('button', { name: 'Terug naar de eerste resultaten' }).waitFor();
    assert.equal(page.url(), searchPage);
    assert.equal(await page.locator('[data-hit-kind]').count(), 3);
    await assertNoAxeViolations(page, 'a later page of search results');
    h.assertNoForeignRequests(0, 'the search');
    assert.ok(
      h.requests.every((request) => !request.url.toLowerCase().includes('pietersen')),
      'no request carried the words in its URL',
    );
  });
});
