import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readSetupForm, setupFieldOrder, validateSetupForm } from './setup-form.ts';
import { newPasswordProblems, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../users/password-policy.ts';
import { assertProblemsOnFields, formValue, hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  samples: [
    '',
    ' ',
    '\u0000',
    'a@b.c',
    'a@b',
    '<script>@x.nl',
    "' OR 1=1 --@x.nl",
    '\uD800@x.nl',
    'password1234',
    '            ',
  ],
  overLong: [200, 400],
});
const body = fc.record(
  {
    display_name: formValue([hostile]),
    email: formValue([hostile]),
    password: formValue([hostile]),
    password_repeat: formValue([hostile]),
    _csrf: hostile,
  },
  { requiredKeys: [] },
);

describe('the setup form, hostile input', () => {
  it('gives an administrator of the declared shape, or problems on the form’s own fields', () => {
    fc.assert(
      fc.property(body, (raw) => {
        const result = validateSetupForm(readSetupForm(raw));
        if (result.ok) {
          const { display_name: name, email, password, password_repeat: repeat } = result.value;
          assert.ok(name.length >= 1 && name.length <= 200);
          assert.match(email, /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
          assert.ok(password.length >= PASSWORD_MIN_CHARS && password.length <= PASSWORD_MAX_CHARS);
          assert.equal(repeat, password);
          return;
        }
        assertProblemsOnFields(result.problems, setupFieldOrder);
        for (const problem of result.problems) {
          assert.match(problem.messageKey, /^(setup|password|validation)\.(errors\.)?[a-z_]+$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('judges any password without throwing, naming only its two fields', () => {
    const password = fc.option(
      fc.oneof(hostile, fc.string({ unit: 'grapheme', minLength: 10, maxLength: 30 })),
      { nil: undefined },
    );
    fc.assert(
      fc.property(password, password, (p, repeat) => {
        const problems = newPasswordProblems(p, repeat);
        for (const problem of problems) {
          assert.ok(['password', 'password_repeat'].includes(problem.field));
          assert.match(problem.messageKey, /^password\.errors\.[a-z_]+$/);
        }
        if (p !== undefined && p === repeat && problems.length === 0) {
          assert.ok(p.length >= PASSWORD_MIN_CHARS && p.length <= PASSWORD_MAX_CHARS);
        }
      }),
      { numRuns: 500 },
    );
  });
});
