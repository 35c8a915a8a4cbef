import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BREACHED_LIST_SIZE, breachedPasswords, readCommonPasswords } from './breached-passwords.ts';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, newPasswordProblems } from './password-policy.ts';

const kinds = (password: string | undefined, repeat: string | undefined = password) =>
  newPasswordProblems(password, repeat).map((p) => `${p.field}:${p.messageKey}`);

describe('the password policy', () => {
  const common = readCommonPasswords();
  const longCommon = common.filter((entry) => entry.length >= PASSWORD_MIN_CHARS);

  it('reads the 100,000 most common passwords from the shipped list, most common first', () => {
    assert.equal(common.length, BREACHED_LIST_SIZE);
    assert.deepEqual(common.slice(0, 3), ['123456', 'password', '12345678']);
    // Only what a password of the minimum length could equal is kept in memory.
    assert.equal(
      breachedPasswords(PASSWORD_MIN_CHARS).size,
      new Set(longCommon.map((p) => p.toLowerCase())).size,
    );
    assert.ok(longCommon.length > 400);
  });

  it('refuses every long enough entry of the list, in any letter case', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...longCommon),
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        (entry, upper) => {
          const variant = entry.replace(/./gsu, (c, i: number) =>
            upper[i % 64] ? c.toUpperCase() : c.toLowerCase(),
          );
          assert.deepEqual(kinds(variant), ['password:password.errors.breached']);
        },
      ),
    );
  });

  it('accepts long passwords that are not on the list', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: PASSWORD_MIN_CHARS, maxLength: PASSWORD_MAX_CHARS, unit: 'grapheme' }),
        (password) => {
          fc.pre(password.length >= PASSWORD_MIN_CHARS && password.length <= PASSWORD_MAX_CHARS);
          fc.pre(!breachedPasswords(PASSWORD_MIN_CHARS).has(password.toLowerCase()));
          assert.deepEqual(kinds(password), []);
        },
      ),
    );
  });

  it('says what is wrong: missing, too short, too long, not repeated alike', () => {
    assert.deepEqual(kinds(undefined, undefined), [
      'password:password.errors.required',
      'password_repeat:password.errors.repeat_required',
    ]);
    assert.deepEqual(kinds('kort'), ['password:password.errors.too_short']);
    assert.deepEqual(kinds('x'.repeat(PASSWORD_MAX_CHARS + 1)), ['password:password.errors.too_long']);
    assert.deepEqual(kinds('x'.repeat(PASSWORD_MAX_CHARS)), []);
    assert.deepEqual(kinds('een lange zin als wachtwoord', 'een lange zin als wachtwoord '), [
      'password_repeat:password.errors.mismatch',
    ]);
    assert.deepEqual(kinds('kort', 'anders'), [
      'password:password.errors.too_short',
      'password_repeat:password.errors.mismatch',
    ]);
  });
});
