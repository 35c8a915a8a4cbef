import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decrypt, encrypt, openText, sealText } from './envelope.ts';
import { constantTimeEqual, deriveKey, keyedHash } from './keys.ts';

const key = randomBytes(32);
const plaintext = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));
const aad = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('report:narrative:1', 'e\u0301', 'é', '\u0000', '\u202E', '<script>', "'"),
);

/** Decrypting must fail with an Error (never anything else, never garbage plaintext). */
function assertRefused(sealed: Buffer, withAad: string, withKey = key): void {
  assert.throws(
    () => decrypt(withKey, sealed, withAad),
    (error: unknown) => error instanceof Error,
  );
}

describe('envelope encryption, mutated ciphertexts', () => {
  it('refuses a ciphertext with any byte changed, cut short or lengthened', () => {
    fc.assert(
      fc.property(
        plaintext,
        aad,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        (data, a, at, flip, extra) => {
          const sealed = encrypt(key, data, a);
          const flipped = Buffer.from(sealed);
          const index = at % flipped.length;
          flipped[index] = (flipped[index] ?? 0) ^ flip;
          assertRefused(flipped, a);
          assertRefused(sealed.subarray(0, at % sealed.length), a);
          assertRefused(Buffer.concat([sealed, Buffer.from(extra)]), a);
          assert.deepEqual(decrypt(key, sealed, a), data, 'the original still opens');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses another AAD (other bytes), another normalisation form, and another key', () => {
    fc.assert(
      fc.property(plaintext, aad, aad, (data, a, b) => {
        const sealed = encrypt(key, data, a);
        if (!Buffer.from(a).equals(Buffer.from(b))) assertRefused(sealed, b);
        const nfd = a.normalize('NFD');
        if (!Buffer.from(nfd).equals(Buffer.from(a))) assertRefused(sealed, nfd);
        assertRefused(sealed, a, randomBytes(32));
        // A key of the wrong size is refused by the cipher: still an Error, not a crash.
        assertRefused(sealed, a, randomBytes(16));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any text through sealText/openText, and nothing for empty values', () => {
    const dataKey = { id: 'k', key };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), aad, (text, a) => {
        const sealed = sealText(dataKey, text, a);
        if (text === '') assert.equal(sealed, null);
        else assert.equal(openText(dataKey, sealed, a), text);
      }),
      { numRuns: 300 },
    );
    assert.equal(openText(dataKey, null, 'x'), null);
  });
});

describe('keyed hashes and comparisons', () => {
  it('compare in constant time without throwing, equal only for equal strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (a, b) => {
          assert.equal(constantTimeEqual(a, a), true);
          // Compared as UTF-8 bytes: lone surrogates all become U+FFFD, so compare the bytes too.
          assert.equal(constantTimeEqual(a, b), Buffer.from(a).equals(Buffer.from(b)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('derive one stable key per purpose and hash any value to 64 hex characters', () => {
    const purposes = [
      'receipt-lookup',
      'receipt-derivation',
      'submission-key',
      'csrf',
      'session-id',
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...purposes),
        fc.constantFrom(...purposes),
        fc.string({ unit: 'binary' }),
        (p, q, value) => {
          const k = deriveKey(key, p);
          assert.equal(k.length, 32);
          assert.equal(deriveKey(key, p), k);
          if (p !== q) assert.notDeepEqual(deriveKey(key, q), k);
          assert.match(keyedHash(k, value), /^[0-9a-f]{64}$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
