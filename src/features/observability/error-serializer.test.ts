import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sanitiseError, scrubMessage } from './error-serializer.ts';

/** An error shaped like one from `pg`: the offending value in the message, detail, where and query. */
function pgError(message: string, fields: Record<string, unknown>): Error {
  const error = new Error(message);
  Object.assign(error, { name: 'error', severity: 'ERROR', ...fields });
  return error;
}

// Values a person could have typed: never a substring of the fixed texts around them.
const personal = fc
  .tuple(
    fc.constantFrom('', '+31 6 ', 'Anna ', 'x@'),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{5,30}[A-Za-z0-9]$/),
  )
  .map(([prefix, value]) => `${prefix}Zq${value}`);

describe('error serializer', () => {
  it('keeps kind, code and schema names, and drops detail, where and query parameters', () => {
    const error = pgError('duplicate key value violates unique constraint "staff_user_email_idx"', {
      code: '23505',
      detail: 'Key (lower(email))=(geheim@example.org) already exists.',
      where: 'SQL statement "insert into staff_user values (\'geheim@example.org\')"',
      table: 'staff_user',
      constraint: 'staff_user_email_idx',
      parameters: ['geheim@example.org'],
      query: 'insert into staff_user (email) values ($1)',
    });
    const safe = sanitiseError(error);
    assert.equal(safe.errorCode, '23505');
    assert.equal(safe.table, 'staff_user');
    assert.equal(safe.constraint, 'staff_user_email_idx');
    assert.match(safe.message, /unique constraint "staff_user_email_idx"/);
    assert.match(safe.stack ?? '', /^error: duplicate key value[^\n]*\n\s+at /);
    assert.doesNotMatch(JSON.stringify(safe), /geheim|detail|where|parameters|insert into/);
  });

  it('scrubs values from messages: quoted, after "invalid input syntax", e-mail, addresses, numbers', () => {
    assert.equal(
      scrubMessage('invalid input syntax for type uuid: "Anna de Vries"'),
      'invalid input syntax for type uuid: [value]',
    );
    assert.equal(scrubMessage('value "06-12345678" is out of range'), 'value "[value]" is out of range');
    assert.equal(scrubMessage('mail to anna@example.org failed'), 'mail to [email] failed');
    assert.equal(scrubMessage('connect ECONNREFUSED 10.1.2.3:5432'), 'connect ECONNREFUSED [address]:5432');
    assert.equal(scrubMessage('call 0612345678 now'), 'call [number] now');
    assert.equal(
      scrubMessage("Cannot read properties of undefined (reading 'x')"),
      "Cannot read properties of undefined (reading '[value]')",
    );
    assert.equal(scrubMessage("can't parse"), "can't parse");
  });

  it('sanitises causes and aggregated errors, and non-errors without repeating them', () => {
    const inner = pgError('invalid input value for enum role: "Zqgeheim"', { code: '22P02' });
    const outer = new Error('saving failed', { cause: inner });
    const safe = sanitiseError(new AggregateError([outer, 'Zqgeheim-string'], 'several'));
    const text = JSON.stringify(safe);
    assert.doesNotMatch(text, /Zqgeheim/);
    const nested = safe.errors ?? [];
    assert.equal(nested[0]?.cause?.errorCode, '22P02', 'the cause is kept, sanitised');
    assert.equal(nested[1]?.message, '[non-error value]');
    assert.deepEqual(sanitiseError('Zqgeheim'), { type: 'string', message: '[non-error value]' });
  });

  it('never lets a value through, whatever PostgreSQL-style message carries it', () => {
    const templates = [
      (v: string) => `invalid input syntax for type integer: "${v}"`,
      (v: string) => `value too long for type character varying(10): '${v}'`,
      (v: string) => `new row for relation "report" violates check constraint "c": ${JSON.stringify(v)}`,
      (v: string) => `Key (email)=(${v}) already exists.`,
      (v: string) => `invalid input value for enum audience: "${v}"`,
      (v: string) => `duplicate key: \`${v}\``,
    ];
    fc.assert(
      fc.property(personal, fc.constantFrom(...templates), (value, template) => {
        const error = pgError(template(value), { detail: `Failing row contains (${value}).`, code: '23514' });
        const text = JSON.stringify(sanitiseError(error));
        return !text.includes(value) && !text.includes(value.slice(2));
      }),
    );
  });
});
