import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { deriveReceiptCode, formatReceiptCode, normaliseReceiptCode, receiptLookupKey } from './receipt.ts';
import { issueSubmissionKey, openSubmissionKey, submissionKeyHash } from './submission-key.ts';

describe('receipt codes', () => {
  const secret = randomBytes(32);

  it('derives 16 digits, the same for the same submission and different for others', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (a, b) => {
        const code = deriveReceiptCode(secret, a);
        assert.match(code, /^\d{16}$/);
        assert.equal(deriveReceiptCode(secret, a), code);
        if (a !== b) assert.notEqual(deriveReceiptCode(secret, b), code);
        assert.notEqual(deriveReceiptCode(randomBytes(32), a), code, 'depends on the server secret');
      }),
    );
  });

  it('spreads codes over the whole range (no fixed leading digits)', () => {
    const firstDigits = new Set(
      Array.from({ length: 300 }, () => deriveReceiptCode(secret, randomUUID())[0]),
    );
    assert.equal(firstDigits.size, 10);
  });

  it('reads back what it formats, and what people type around it', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{16}$/),
        fc.constantFrom(' ', '-', '.', '  ', ''),
        (code, separator) => {
          assert.equal(normaliseReceiptCode(formatReceiptCode(code)), code);
          assert.equal(normaliseReceiptCode(` ${code.replace(/(\d{4})(?=\d)/g, `$1${separator}`)} `), code);
        },
      ),
    );
  });

  it('rejects anything that is not 16 digits, without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (input) => {
        const result = normaliseReceiptCode(input);
        if (result !== undefined) assert.match(result, /^\d{16}$/);
      }),
    );
    for (const bad of [
      '',
      '123',
      '1234 5678 9012 345',
      '1234 5678 9012 34567',
      'abcd efgh ijkl mnop',
      '１２３４５６７８９０１２３４５６',
    ]) {
      assert.equal(normaliseReceiptCode(bad), undefined, bad);
    }
  });

  it('keys look-ups by secret, so the database alone cannot test codes', () => {
    const code = '1234567890123456';
    assert.equal(receiptLookupKey(secret, code), receiptLookupKey(secret, code));
    assert.notEqual(receiptLookupKey(randomBytes(32), code), receiptLookupKey(secret, code));
    assert.ok(!receiptLookupKey(secret, code).includes(code));
  });
});

describe('submission keys', () => {
  const secret = randomBytes(32);

  it('opens only keys this server signed', () => {
    const key = issueSubmissionKey(secret);
    const id = openSubmissionKey(secret, key);
    assert.ok(id);
    assert.equal(openSubmissionKey(randomBytes(32), key), undefined);
    assert.equal(openSubmissionKey(secret, `${randomUUID()}.${key.split('.')[1] ?? ''}`), undefined);
    assert.notEqual(submissionKeyHash(secret, id), id);
  });

  it('never throws on hostile input', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        assert.equal(openSubmissionKey(secret, value), undefined);
      }),
    );
  });
});
