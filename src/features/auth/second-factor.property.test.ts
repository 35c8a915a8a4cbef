import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseTotp } from './second-factor-service.ts';
import { hashSessionId } from './session-service.ts';
import { hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  samples: [
    '123 456',
    ' 123456 ',
    '123\u0000456',
    '١٢٣٤٥٦',
    '１２３４５６',
    '12345',
    '1234567',
    '12-34-56',
    '\u202E123456',
    '123456\uD800',
  ],
  more: [
    fc.stringMatching(/^\s*\d{3}\s*\d{3}\s*$/),
    fc.integer({ min: 1000, max: 100_000 }).map((n) => ' '.repeat(n) + '123456'),
  ],
});

describe('second-factor input, hostile', () => {
  it('reads six ASCII digits or nothing', () => {
    fc.assert(
      fc.property(hostile, (input) => {
        const code = normaliseTotp(input);
        if (code === undefined) return;
        assert.match(code, /^[0-9]{6}$/);
        assert.equal(code, input.replace(/\s+/g, ''));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes any session cookie value to 64 hex characters, distinct for distinct values', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        assert.match(hashSessionId(a), /^[0-9a-f]{64}$/);
        if (Buffer.from(a).equals(Buffer.from(b))) assert.equal(hashSessionId(a), hashSessionId(b));
        else assert.notEqual(hashSessionId(a), hashSessionId(b));
      }),
      { numRuns: 300 },
    );
  });
});
