import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dutchWordVariants, MAX_WIDENED_WORDS, widenableWords } from './dutch-variants.ts';
import { headlineParts, MARK_START, MARK_STOP } from './search-service.ts';
import { isCalendarDate } from './routes.tsx';
import { hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  maxLength: 60,
  samples: [
    'uitbuiting',
    'uitgebuit',
    'werken',
    'gewerkt',
    'verkopen',
    '"de kas" OR -x',
    '\u0000',
    '\uD800',
    'İstanbul',
    'ǅemal',
    'ß',
    'e\u0301',
    '<script>',
    "'; --",
  ],
  more: [
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.integer({ min: 41, max: 3000 }).map((n) => 'a'.repeat(n)),
  ],
});

describe('Dutch word variants, hostile input', () => {
  it('gives a few plain lower-case words, never the word itself, for any text', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const widened = widenableWords(text);
        assert.ok(widened.length <= MAX_WIDENED_WORDS);
        assert.equal(new Set(widened.map((w) => w.word)).size, widened.length);
        for (const { word, variants } of widened) {
          assert.ok(word.length <= 40);
          assert.ok(variants.length > 0 && variants.length <= 2);
          for (const variant of variants) {
            assert.match(variant, /^\p{L}+$/u);
            assert.notEqual(variant, word);
          }
        }
        for (const word of text.split(/\s+/)) {
          for (const v of dutchWordVariants(word)) assert.match(v, /^\p{L}+$/u);
        }
      }),
      { numRuns: 700 },
    );
  });
});

describe('search headlines and dates, hostile input', () => {
  it('splits a headline into unmarked and marked text with no markers left', () => {
    const piece = fc.oneof(hostile, fc.constantFrom(MARK_START, MARK_STOP));
    fc.assert(
      fc.property(
        fc.option(
          fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
          { nil: null },
        ),
        (raw) => {
          const parts = headlineParts(raw);
          assert.equal(
            parts.map((p) => p.text).join(''),
            (raw ?? '').split(MARK_START).join('').split(MARK_STOP).join(''),
          );
          for (const part of parts) {
            assert.notEqual(part.text, '');
            assert.ok(!part.text.includes(MARK_START) && !part.text.includes(MARK_STOP));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes only real dates written YYYY-MM-DD between 1900 and 2999', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/)), (text) => {
        if (!isCalendarDate(text)) return;
        const date = new Date(`${text}T00:00:00Z`);
        assert.equal(date.toISOString().slice(0, 10), text);
        assert.ok(date.getUTCFullYear() >= 1900 && date.getUTCFullYear() <= 2999);
      }),
      { numRuns: 700 },
    );
  });
});
