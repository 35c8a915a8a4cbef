import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { personRoles } from '../../db/schema.ts';
import { nationalityCodes } from './nationalities.ts';
import {
  ageBands,
  formValuesOf,
  languagesOf,
  personFieldOrder,
  personFormValues,
  relationships,
  sexes,
  traffickingStatuses,
  validatePerson,
  victimOnlyFields,
  VICTIM_ROLE,
} from './person-form.ts';
import { assertProblemsOnFields, formBody, hostileSamples, hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  samples: [...hostileSamples, '-1', '121', '007', '1e2', '١٢', 'NL', 'nl', 'unknown'],
  more: [fc.integer({ min: -5, max: 130 }).map(String)],
  overLong: [190, 600],
});
const known = fc.constantFrom(
  ...personRoles,
  ...ageBands,
  ...sexes,
  ...traffickingStatuses,
  ...relationships,
  'NLD',
  'ROU',
);
const body = formBody([...personFieldOrder, '_csrf', 'version', 'x'], [hostile, known]);

describe('the person form, hostile input', () => {
  it('gives a person of the declared shape, or problems on its own fields', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const values = personFormValues(raw);
        if (values.role !== VICTIM_ROLE) {
          for (const field of victimOnlyFields) assert.equal(values[field], undefined, `${field} dropped`);
        }
        const result = validatePerson(values);
        if (!result.ok) {
          assertProblemsOnFields(result.problems, personFieldOrder);
          return;
        }
        const person = result.person;
        assert.ok((personRoles as readonly string[]).includes(person.role));
        for (const age of [person.age, person.ageAtExploitationStart]) {
          if (age !== null) assert.ok(Number.isInteger(age) && age >= 0 && age <= 120, String(age));
        }
        if (person.ageBand !== null) assert.ok((ageBands as readonly string[]).includes(person.ageBand));
        if (person.nationality !== null) assert.ok(nationalityCodes.includes(person.nationality));
        assert.ok((person.name ?? '').length <= 200);
        // What was stored, shown in the edit form and sent back, is the same person.
        const again = validatePerson(personFormValues(formValuesOf(person)));
        assert.ok(again.ok, JSON.stringify(again));
        assert.deepEqual(again.person, person);
      }),
      { numRuns: 700 },
    );
  });

  it('splits languages into trimmed, distinct, non-empty names', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(hostile, fc.string({ maxLength: 40 })), { nil: undefined }), (text) => {
        const list = languagesOf(text);
        assert.equal(new Set(list).size, list.length);
        for (const language of list) {
          assert.notEqual(language, '');
          assert.equal(language, language.trim());
          assert.doesNotMatch(language, /[,;\n]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
