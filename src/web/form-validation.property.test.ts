import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { normaliseForm, toFieldErrors, untrimmedField, validateForm } from './form-validation.ts';

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(' \u0000 ', 'a\u0000b', '\r\n', '\uD800', '\u202E', '<script>', "'--", 'e\u0301', ' x '),
);
/** What a body parser may hand over: strings, arrays, nested objects, numbers, nothing at all. */
const hostileBody = fc.oneof(
  fc.dictionary(
    fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'a', 'list'),
    ),
    fc.oneof(hostileText, fc.array(hostileText, { maxLength: 4 }), fc.anything({ maxDepth: 2, maxKeys: 4 })),
  ),
  fc.anything({ maxDepth: 2, maxKeys: 4 }),
);

describe('form normalisation, hostile bodies', () => {
  it('gives trimmed strings without NUL or CR LF, arrays only for array fields, and never throws', () => {
    fc.assert(
      fc.property(hostileBody, fc.subarray(['a', 'list', 'x']), (body, arrayFields) => {
        const form = normaliseForm(body, arrayFields);
        for (const [key, value] of Object.entries(form)) {
          const values = arrayFields.includes(key) ? value : [value];
          assert.ok(Array.isArray(values), `${key} is an array`);
          assert.equal(new Set(values).size, values.length, 'no doubles');
          for (const v of values as unknown[]) {
            assert.equal(typeof v, 'string');
            const text = v as string;
            assert.notEqual(text, '');
            assert.equal(text, text.trim());
            assert.ok(!text.includes('\u0000'));
            assert.ok(!text.includes('\r\n'));
          }
        }
        for (const key of arrayFields) assert.ok(Array.isArray(form[key]));
      }),
      { numRuns: 500 },
    );
  });

  it('gives a field exactly as sent, or an empty string', () => {
    fc.assert(
      fc.property(hostileBody, fc.string({ maxLength: 10 }), (body, name) => {
        const value = untrimmedField(body, name);
        assert.equal(typeof value, 'string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('schema validation, hostile input', () => {
  const schema = Type.Object({
    name: Type.String({ minLength: 1, maxLength: 20, messages: { required: 'x.name_required' } }),
    code: Type.Union([Type.Literal('a'), Type.Literal('b')]),
    tags: Type.Array(Type.Union([Type.Literal('t1'), Type.Literal('t2')]), { minItems: 1, maxItems: 2 }),
    note: Type.Optional(Type.String({ maxLength: 5, pattern: '^[a-z]*$' })),
  });
  const fields = Object.keys(schema.properties);

  it('gives the value or one problem per real field, with a message key and limits', () => {
    fc.assert(
      fc.property(hostileBody, (body) => {
        const input = normaliseForm(body, ['tags']);
        const result = validateForm(schema, input);
        if (result.ok) {
          assert.equal(typeof result.value.name, 'string');
          assert.ok(['a', 'b'].includes(result.value.code));
          return;
        }
        assert.ok(result.problems.length > 0);
        assert.equal(new Set(result.problems.map((p) => p.field)).size, result.problems.length);
        for (const problem of result.problems) {
          assert.ok(fields.includes(problem.field), `a real field: ${problem.field}`);
          assert.ok(['required', 'too_long', 'invalid'].includes(problem.kind));
          assert.match(problem.messageKey, /^(validation|x)\.[a-z_]+$/);
        }
        const t = (key: string) => `<${key}>`;
        const shown = toFieldErrors(result.problems, t, ['tags', 'name']);
        assert.equal(shown.length, result.problems.length);
        assert.deepEqual(
          shown
            .map((e) => e.field)
            .slice(0, 2)
            .filter((f) => f === 'tags' || f === 'name'),
          ['tags', 'name'].filter((f) => shown.some((e) => e.field === f)).slice(0, 2),
          'the form order comes first',
        );
      }),
      { numRuns: 500 },
    );
  });
});
