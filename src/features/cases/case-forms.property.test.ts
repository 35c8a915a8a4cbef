import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadRegion } from '../../config/region.ts';
import { parseDetailsForm, requiredText } from './case-forms.ts';
import { detailFields } from './case-service.ts';
import {
  controlMethods,
  exploitationForms,
  isOneOf,
  labourIndustries,
  recruitmentMethods,
  urgencies,
} from './codes.ts';
import { CASE_NUMBER_PATTERN, caseYear, formatCaseNumber } from './case-number.ts';
import { formatCaseCursor, parseCaseCursor } from './case-queries.ts';
import { formatCursor, parseCursor } from '../inbox/inbox-service.ts';
import { assertProblemsOnFields, formBody, hostileSamples, hostileText } from '../../test/properties.ts';

const region = loadRegion('twente');
const t = (key: string, values?: Record<string, unknown>) => `${key}${values ? JSON.stringify(values) : ''}`;
const hostile = hostileText({
  samples: [...hostileSamples, '-1', '999999999', '1e3', '__proto__', 'toString'],
  overLong: [190, 400],
});
const codes = fc.constantFrom(
  ...exploitationForms,
  ...controlMethods,
  ...recruitmentMethods,
  ...labourIndustries,
  ...urgencies,
  ...region.municipalities.map((m) => m.code),
  'outside',
  'unknown',
);
const body = formBody([...detailFields, 'version', '_csrf', 'x'], [hostile, codes], 4);

describe('the case details form, hostile input', () => {
  it('gives details of the declared shape, or errors on real fields, and always the typed values', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const parsed = parseDetailsForm(raw, region, t);
        assert.ok(Number.isInteger(parsed.version) && parsed.version >= 0);
        assert.ok(Array.isArray(parsed.typed.exploitation_forms));
        if (!parsed.ok) {
          assertProblemsOnFields(parsed.errors, detailFields);
          return;
        }
        const d = parsed.details;
        assert.ok(d.title.length >= 1 && d.title.length <= 200);
        assert.ok(isOneOf(urgencies, d.urgency));
        for (const f of d.exploitation_forms) assert.ok(isOneOf(exploitationForms, f));
        for (const c of d.control_methods) assert.ok(isOneOf(controlMethods, c));
        for (const r of d.recruitment_methods) assert.ok(isOneOf(recruitmentMethods, r));
        if (d.labour_industry !== null) {
          assert.ok(isOneOf(labourIndustries, d.labour_industry));
          assert.ok(d.exploitation_forms.includes('labour'), 'an industry only with labour exploitation');
        }
      }),
      { numRuns: 700 },
    );
  });

  it('checks a required text of a maximum length', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('note', 'x'), fc.oneof(hostile, fc.anything({ maxDepth: 1 }))),
        fc.integer({ min: 1, max: 300 }),
        (input, max) => {
          const { value, errors } = requiredText(input, 'note', max, 'x.required', t);
          assert.equal(typeof value, 'string');
          if (errors.length === 0) assert.ok(value.length >= 1 && value.length <= max);
          for (const e of errors) assert.equal(e.field, 'note');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('case numbers, cursors and code lists', () => {
  it('formats numbers that match their pattern, in the centre’s year', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 9999 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.date({
          noInvalidDate: true,
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2999-12-31T00:00:00Z'),
        }),
        (year, sequence, now) => {
          assert.match(formatCaseNumber(year, sequence), CASE_NUMBER_PATTERN);
          const y = caseYear(now);
          assert.ok(Math.abs(y - now.getUTCFullYear()) <= 1);
        },
      ),
    );
  });

  it('read back every case and inbox cursor they write, and nothing malformed', () => {
    const micros = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        micros,
        fc.uuid(),
        fc.boolean(),
        (priority, at, id, acute) => {
          assert.deepEqual(parseCaseCursor(formatCaseCursor({ priority, updatedAtMicros: at, id })), {
            priority,
            updatedAtMicros: at,
            id,
          });
          assert.deepEqual(parseCursor(formatCursor({ acuteDanger: acute, receivedAtMicros: at, id })), {
            acuteDanger: acute,
            receivedAtMicros: at,
            id,
          });
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          hostile,
          fc.anything({ maxDepth: 1 }),
          fc.constantFrom(
            '0_99999999999999999_00000000-0000-0000-0000-000000000000',
            '1_1_zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
            '1_9007199254740993_00000000-0000-0000-0000-000000000000',
          ),
        ),
        (value) => {
          const c = parseCaseCursor(value);
          if (c) assert.ok(Number.isSafeInteger(c.updatedAtMicros) && /^[0-9a-f-]{36}$/i.test(c.id));
          const i = parseCursor(value);
          if (i) assert.ok(Number.isSafeInteger(i.receivedAtMicros) && /^[0-9a-f-]{36}$/.test(i.id));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accept exactly the codes of a list (HTCDS lists included), nothing inherited', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, codes, fc.anything({ maxDepth: 1 })), (value) => {
        for (const list of [
          exploitationForms,
          controlMethods,
          recruitmentMethods,
          labourIndustries,
          urgencies,
        ]) {
          assert.equal(
            isOneOf(list, value),
            typeof value === 'string' && (list as readonly string[]).includes(value),
          );
        }
      }),
      { numRuns: 300 },
    );
    assert.equal(controlMethods.length, 17, 'HTCDS control methods');
    assert.equal(recruitmentMethods.length, 10, 'HTCDS recruitment methods');
    assert.equal(labourIndustries.length, 21, 'ISIC sections A–U');
  });
});
