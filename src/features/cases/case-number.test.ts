import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { createStaffUser } from '../../test/staff.ts';
import type { StaffPrincipal } from '../../web/policy.ts';
import { seedReport } from '../../test/reports.ts';
import { caseYear, formatCaseNumber } from './case-number.ts';
import { createCaseFromReport } from './case-service.ts';

describe('case numbers', () => {
  let t: TestApp;
  let principal: StaffPrincipal;

  before(async () => {
    t = await createTestApp();
    const user = await createStaffUser(t.app, 'coordinator');
    principal = {
      userId: user.id,
      role: 'coordinator',
      displayName: user.displayName,
      teamId: null,
      sessionId: 'x',
    };
  });
  after(() => t.close());

  const newReport = () => seedReport(t, { narrative: 'Een verhaal.' });

  const createFor = (reportId: string, now: Date) =>
    createCaseFromReport(
      t.database.db,
      t.config.secrets.encryptionKeys,
      { principal, requestId: randomUUID() },
      { reportId, title: 'Parallel' },
      now,
    );

  it('formats year and a four-digit sequence, in the centre’s time zone', () => {
    assert.equal(formatCaseNumber(2026, 42), '2026-0042');
    assert.equal(formatCaseNumber(2026, 12345), '2026-12345');
    assert.equal(caseYear(new Date('2026-12-31T23:30:00Z')), 2027, 'already New Year in Amsterdam');
    assert.equal(caseYear(new Date('2026-12-31T22:30:00Z')), 2026);
  });

  it('never gives two cases created at the same time the same number', async () => {
    // Each run uses its own year, so every run's numbers must be exactly 1..n.
    let year = 2100;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), async (count) => {
        year++;
        const reports = [];
        for (let i = 0; i < count; i++) reports.push(await newReport());
        const now = new Date(`${year}-06-01T12:00:00Z`);
        const results = await Promise.all(reports.map((id) => createFor(id, now)));
        const numbers = results.map((r) => (r.kind === 'created' ? r.number : 'not created'));
        assert.equal(new Set(numbers).size, count, `unique: ${numbers.join(', ')}`);
        assert.deepEqual(
          [...numbers].sort(),
          Array.from({ length: count }, (_, i) => formatCaseNumber(year, i + 1)),
        );
      }),
      { numRuns: 6 },
    );
  });

  it('gives one case for a report that is made into a case twice at once', async () => {
    const reportId = await newReport();
    const now = new Date('2099-01-15T12:00:00Z');
    const results = await Promise.all([createFor(reportId, now), createFor(reportId, now)]);
    const created = results.filter((r) => r.kind === 'created');
    assert.equal(created.length, 1);
    const other = results.find((r) => r.kind === 'already_linked');
    assert.ok(other && created[0] && other.caseId === created[0].caseId);
    const cases = await t.database.db
      .selectFrom('case_file')
      .select('number')
      .where('number', 'like', '2099-%')
      .execute();
    assert.deepEqual(
      cases.map((c) => c.number),
      ['2099-0001'],
      'the second creation found the case and took no number',
    );
  });
});
