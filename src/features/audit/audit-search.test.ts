import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { errorSummary } from '../../test/http-client.ts';
import { signInAsStaff, type SignedInStaff } from '../../test/staff.ts';
import { recordAuditAlone } from './audit-service.ts';
import { parseSearch, startOfDayInAmsterdam } from './audit-search.ts';

const seqs = (html: string) => [...html.matchAll(/data-audit-seq="(\d+)"/g)].map((m) => Number(m[1]));
const nextLink = (html: string) =>
  /<a[^>]*href="([^"]+)"[^>]*rel="next"/.exec(html)?.[1]?.replace(/&amp;/g, '&');

describe('the administrators’ audit search', () => {
  let t: TestApp;
  let admin: SignedInStaff;
  const caseId = randomUUID();

  before(async () => {
    t = await createTestApp();
    admin = await signInAsStaff(t.app, 'admin', { displayName: 'Anna Beheer' });
    const advisor = await signInAsStaff(t.app, 'advisor', { displayName: 'Bram Advies' });
    for (let i = 0; i < 60; i++) {
      await recordAuditAlone(t.database.db, {
        actor: { userId: advisor.user.id, role: 'advisor' },
        action: i % 2 === 0 ? 'case.read' : 'case.updated',
        entity: { type: 'case', id: i === 7 ? caseId : randomUUID() },
        reason: i === 7 ? 'Spoed: melding over minderjarige' : undefined,
      });
    }
  });
  after(() => t.close());

  it('lists the newest events with who, role, action, object and reason, and records the search', async () => {
    const page = await admin.client.get('/beheer/audit');
    assert.equal(page.statusCode, 200);
    assert.equal(seqs(page.body).length, 50);
    assert.match(page.body, /Bram Advies \(adviseur\)/);
    assert.match(page.body, /<code>case.updated<\/code>/);
    const searched = await t.database.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'audit.searched')
      .execute();
    const [event] = searched;
    assert.ok(event && searched.length === 1);
    assert.equal(event.actor_user_id, admin.user.id);
    assert.deepEqual(event.details, { filters: 'none', page: 'first', results: 50 });
  });

  it('filters by action prefix, object, user and dates, and pages with a cursor', async () => {
    const byEntity = await admin.client.get(`/beheer/audit?type=case&object=${caseId}`);
    assert.equal(seqs(byEntity.body).length, 1);
    assert.match(byEntity.body, /Spoed: melding over minderjarige/);

    const logins = await admin.client.get(`/beheer/audit?actie=login.&gebruiker=${admin.user.id}`);
    const loginSeqs = seqs(logins.body);
    assert.ok(loginSeqs.length >= 1);
    assert.doesNotMatch(logins.body, /case\.read/);
    assert.match(logins.body, /<option value="[^"]+" selected>Anna Beheer<\/option>/, 'the choice is kept');

    const reads = await admin.client.get('/beheer/audit?actie=case.read');
    assert.equal(seqs(reads.body).length, 30);

    // Days in the centre's time zone, as the search reads them (just after midnight UTC lags a day).
    const amsterdamDay = (ms: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date(ms));
    const today = amsterdamDay(Date.now());
    const tomorrow = amsterdamDay(Date.now() + 2 * 86_400_000);
    assert.ok(seqs((await admin.client.get(`/beheer/audit?van=${today}&tot=${today}`)).body).length > 0);
    assert.equal(seqs((await admin.client.get(`/beheer/audit?van=${tomorrow}`)).body).length, 0);

    // Keyset pages: the next link carries the filters and the cursor; nothing repeats or is skipped.
    const first = await admin.client.get('/beheer/audit?actie=case.');
    const next = nextLink(first.body);
    assert.ok(next !== undefined && next.includes('actie=case.') && next.includes('voor='));
    const second = await admin.client.get(next);
    const all = [...seqs(first.body), ...seqs(second.body)];
    assert.equal(all.length, 60);
    assert.equal(new Set(all).size, 60);
    assert.equal(nextLink(second.body), undefined);
    const later = await t.database.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'audit.searched')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(later.details, { filters: 'actionPrefix', page: 'later', results: 10 });
  });

  it('checks the filters and says what is wrong beside each field, keeping what was typed', async () => {
    const response = await admin.client.get(
      '/beheer/audit?actie=DROP%20TABLE&gebruiker=nobody&van=2026-02-30&tot=morgen',
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Vul het begin van een actie in met kleine letters, cijfers, punten of liggende streepjes, zoals login.',
      'Kies een gebruiker uit de lijst.',
      'Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2026-11-28.',
      'Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2026-11-28.',
    ]);
    assert.match(response.body, /value="DROP TABLE"/);
    assert.equal(seqs(response.body).length, 0);
    const reversed = await admin.client.get('/beheer/audit?van=2026-11-28&tot=2026-11-01');
    assert.deepEqual(errorSummary(reversed.body), [
      'De einddatum ligt vóór de begindatum. Kies een latere einddatum.',
    ]);
  });

  it('is for administrators only, and linked from their home page', async () => {
    const home = await admin.client.get('/beheer');
    assert.match(home.body, /data-audit-link/);
    assert.match(home.body, /data-users-link/);
    for (const role of ['coordinator', 'advisor'] as const) {
      const other = await signInAsStaff(t.app, role);
      assert.equal((await other.client.get('/beheer/audit')).statusCode, 403);
      assert.doesNotMatch((await other.client.get('/beheer')).body, /data-audit-link|data-users-link/);
    }
  });
});

describe('audit search filters', () => {
  it('takes Amsterdam midnight, in winter and in summer time', () => {
    assert.equal(startOfDayInAmsterdam('2026-01-15')?.toISOString(), '2026-01-14T23:00:00.000Z');
    assert.equal(startOfDayInAmsterdam('2026-07-15')?.toISOString(), '2026-07-14T22:00:00.000Z');
    assert.equal(startOfDayInAmsterdam('2026-03-29')?.toISOString(), '2026-03-28T23:00:00.000Z');
    assert.equal(startOfDayInAmsterdam('2026-02-30'), undefined);
  });

  it('makes "until" include the whole day, 23 or 25 hours long when the clocks change', () => {
    const spring = parseSearch({ van: '2026-03-29', tot: '2026-03-29' });
    assert.ok(spring.ok);
    assert.equal((spring.filters.to?.getTime() ?? 0) - (spring.filters.from?.getTime() ?? 0), 23 * 3_600_000);
    const autumn = parseSearch({ van: '2026-10-25', tot: '2026-10-25' });
    assert.ok(autumn.ok);
    assert.equal((autumn.filters.to?.getTime() ?? 0) - (autumn.filters.from?.getTime() ?? 0), 25 * 3_600_000);
  });

  it('accepts every valid day and a range of one day or more', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (date) => {
          const day = date.toISOString().slice(0, 10);
          const parsed = parseSearch({ van: day, tot: day });
          assert.ok(parsed.ok);
          const hours =
            ((parsed.filters.to?.getTime() ?? 0) - (parsed.filters.from?.getTime() ?? 0)) / 3_600_000;
          assert.ok([23, 24, 25].includes(hours));
        },
      ),
    );
  });
});
