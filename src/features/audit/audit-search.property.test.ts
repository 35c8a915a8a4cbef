import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSearch, searchFields, startOfDayInAmsterdam, type SearchInput } from './audit-search.ts';
import { hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  maxLength: 60,
  samples: [
    '\u0000',
    'a\u0000b',
    '\uD800',
    '<script>alert(1)</script>',
    "'; drop table audit_event; --",
    '../../etc/passwd',
    '\u202Ecase',
    '２０２６-０１-０１',
    '0000-01-01',
    '9999-12-31',
    '2026-02-29',
    '2026-13-01',
    '2026-1-1',
    ' 2026-01-01',
    'case.',
    'CASE',
    'x'.repeat(201),
    'x'.repeat(5000),
  ],
  more: [fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/), fc.uuid()],
});
const input = fc.record(
  Object.fromEntries(searchFields.map((field) => [field, hostile])) as Record<
    keyof SearchInput,
    typeof hostile
  >,
  { requiredKeys: [] },
);

describe('audit search filters, hostile input', () => {
  it('never throws; gives filters of the declared shape or problems naming real fields', () => {
    fc.assert(
      fc.property(input, (search) => {
        const parsed = parseSearch(search);
        if (!parsed.ok) {
          assert.ok(parsed.problems.length > 0);
          for (const problem of parsed.problems) {
            assert.ok((searchFields as readonly string[]).includes(problem.field), problem.field);
            assert.equal(problem.kind, 'invalid');
            assert.match(problem.messageKey, /^audit\.search\.errors\.[a-z_]+$/);
            assert.ok(search[problem.field as keyof SearchInput] !== undefined, 'only a field that was sent');
          }
          return;
        }
        const { filters } = parsed;
        if (filters.actionPrefix !== undefined) assert.match(filters.actionPrefix, /^[a-z0-9_.]{1,100}$/);
        if (filters.entityType !== undefined) assert.match(filters.entityType, /^[a-z][a-z0-9_]{0,49}$/);
        if (filters.entityId !== undefined) {
          assert.ok(filters.entityId.length <= 200);
          // PostgreSQL text cannot hold NUL; one in a query is a database error (a 500), not "no match".
          assert.ok(!filters.entityId.includes('\u0000'));
        }
        if (filters.actorUserId !== undefined) assert.match(filters.actorUserId, /^[0-9a-f-]{36}$/i);
        for (const date of [filters.from, filters.to]) {
          if (date !== undefined) assert.ok(!Number.isNaN(date.getTime()));
        }
        if (filters.from && filters.to) assert.ok(filters.from < filters.to);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads only real days written YYYY-MM-DD, each as a midnight in Amsterdam', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const start = startOfDayInAmsterdam(text);
        if (start === undefined) return;
        assert.match(text, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(!Number.isNaN(start.getTime()));
        // Before 1900 Amsterdam kept local mean time (+00:19:32); minutes are all the filter reads.
        if (Number(text.slice(0, 4)) < 1900) return;
        const local = new Intl.DateTimeFormat('sv-SE', {
          timeZone: 'Europe/Amsterdam',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(start);
        assert.equal(local, `${text} 00:00`);
      }),
      { numRuns: 1000 },
    );
  });
});
