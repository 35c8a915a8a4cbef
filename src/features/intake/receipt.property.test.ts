import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { deriveReceiptCode, formatReceiptCode, normaliseReceiptCode, receiptLookupKey } from './receipt.ts';
import { issueSubmissionKey, openSubmissionKey } from './submission-key.ts';
import { hostileText } from '../../test/properties.ts';

const secret = randomBytes(32);
const hostile = hostileText({
  maxLength: 60,
  samples: [
    '1234\u00005678\u000090123456',
    '1234\u202E5678 9012 3456',
    '١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦',
    '１２３４５６７８９０１２３４５６',
    '1234-5678-9012-345x',
    "1234567890123456' OR '1'='1",
    '<script>1234567890123456</script>',
    '\uD8001234567890123456',
  ],
  more: [fc.integer({ min: 1000, max: 100_000 }).map((n) => ' -'.repeat(n))],
});

describe('receipt codes and submission keys, hostile input', () => {
  it('normalises to 16 ASCII digits or nothing, and reads back what it formats', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        const code = normaliseReceiptCode(input);
        if (code === undefined) return;
        assert.match(code, /^[0-9]{16}$/);
        assert.equal(normaliseReceiptCode(formatReceiptCode(code)), code);
        assert.match(formatReceiptCode(code), /^\d{4} \d{4} \d{4} \d{4}$/);
        assert.match(receiptLookupKey(secret, code), /^[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });

  it('derives a code from any submission key text', () => {
    fc.assert(
      fc.property(hostile, (key) => {
        assert.match(deriveReceiptCode(secret, key), /^\d{16}$/);
      }),
      { numRuns: 300 },
    );
  });

  it('opens a key this server issued, and no key with any character changed, added or removed', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom('0', '7', 'a', 'f', '.', '-', 'x', 'Z', '\u0000'),
        fc.constantFrom('replace', 'insert', 'delete'),
        (at, char, edit) => {
          const key = issueSubmissionKey(secret);
          const id = openSubmissionKey(secret, key);
          assert.ok(id !== undefined && key.startsWith(id));
          const i = at % key.length;
          const mutated =
            edit === 'replace'
              ? key.slice(0, i) + char + key.slice(i + 1)
              : edit === 'insert'
                ? key.slice(0, i) + char + key.slice(i)
                : key.slice(0, i) + key.slice(i + 1);
          if (mutated !== key)
            assert.equal(openSubmissionKey(secret, mutated), undefined, JSON.stringify(mutated));
          assert.equal(openSubmissionKey(randomBytes(32), key), undefined, 'another server’s secret');
        },
      ),
      { numRuns: 500 },
    );
  });
});
