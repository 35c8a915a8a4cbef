import assert from 'node:assert/strict';
import fc from 'fast-check';

/**
 * Shared arbitraries and checks for the property tests of parsers and form validators: what a
 * client we do not trust may send, and what a validator may answer.
 */

/** What every text field must survive: nothing, blanks, NUL, markup, SQL, a lone surrogate. */
export const hostileSamples: readonly string[] = ['', ' ', '\u0000', '<script>', "'; --", '\uD800'];

/**
 * Text from a hostile client: any UTF-16 (lone surrogates and control characters included), the
 * given samples (near misses of valid input, injection attempts), any further arbitraries, and,
 * with `overLong`, runs of `x` of a length in that range (around the field's limit).
 */
export function hostileText(options: {
  samples: readonly string[];
  maxLength?: number;
  more?: readonly fc.Arbitrary<string>[];
  overLong?: readonly [min: number, max: number];
}): fc.Arbitrary<string> {
  const { samples, maxLength = 40, more = [], overLong } = options;
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom(...samples),
    ...more,
    ...(overLong ? [fc.integer({ min: overLong[0], max: overLong[1] }).map((n) => 'x'.repeat(n))] : []),
  );
}

/** One field of a parsed form body: one of `values`, or the field sent several times. */
export function formValue<T>(values: readonly fc.Arbitrary<T>[], maxRepeats = 3): fc.Arbitrary<T | T[]> {
  const single = values.length === 1 && values[0] ? values[0] : fc.oneof(...values);
  return fc.oneof(...values, fc.array(single, { maxLength: maxRepeats }));
}

/** A parsed form body: any of `names` (known fields and strays), each with a `formValue`. */
export function formBody<T>(
  names: readonly string[] | fc.Arbitrary<string>,
  values: readonly fc.Arbitrary<T>[],
  maxRepeats = 3,
): fc.Arbitrary<Record<string, T | T[]>> {
  const name = names instanceof fc.Arbitrary ? names : fc.constantFrom(...names);
  return fc.dictionary(name, formValue(values, maxRepeats));
}

/** A refused form names at least one problem, and only fields of its own. */
export function assertProblemsOnFields(
  problems: readonly { field: string }[],
  fields: readonly string[],
): void {
  assert.ok(problems.length > 0);
  for (const problem of problems) assert.ok(fields.includes(problem.field), problem.field);
}
