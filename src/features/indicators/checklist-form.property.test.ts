import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fieldNames, parseChecklistForm } from './checklist-form.ts';
import { REMARK_MAX_CHARS } from './indicator-service.ts';
import { formBody, hostileText } from '../../test/properties.ts';

const codes = ['debt', 'false_promises', 'no_documents', '__proto__', 'a.b'] as const;
const hostile = hostileText({
  samples: ['yes', 'no', '1', '0', '', '\u0000', '<script>', "'; --", '\uD800'],
  maxLength: 30,
  overLong: [990, 1100],
});
const name = fc.oneof(
  fc.constantFrom(...codes).chain((code) => fc.constantFrom(...Object.values(fieldNames(code)))),
  fc.string({ maxLength: 20 }),
);
const body = formBody(name, [hostile]);

describe('the indicator checklist form, hostile input', () => {
  it('gives a state per known indicator and nothing else, remarks too long named', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const form = parseChecklistForm(raw, codes);
        assert.deepEqual([...form.submitted.keys()], [...codes]);
        for (const [code, state] of form.submitted) {
          assert.equal(typeof state.present, 'boolean');
          if (state.remark !== null) {
            assert.equal(typeof state.remark, 'string');
            assert.ok(!state.remark.includes('\u0000'));
          }
          assert.equal(form.tooLong.includes(code), (state.remark?.length ?? 0) > REMARK_MAX_CHARS);
        }
        for (const code of form.shown.keys()) assert.ok((codes as readonly string[]).includes(code));
      }),
      { numRuns: 500 },
    );
  });
});
