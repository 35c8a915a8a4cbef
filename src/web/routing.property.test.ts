import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bothLocales, localeFromPath, localisedPath, pathWithoutLocale } from './routing.ts';
import { AppError, classifyError, errorCodes, type ErrorCode } from './errors.ts';
import { createTranslators, loadCatalogs, locales } from '../i18n/i18n.ts';

/** Paths as a router sees them: a slash, then segments of anything, hostile text included. */
const hostileSegment = fc.oneof(
  fc.constantFrom(
    'en',
    'EN',
    'en?',
    '..',
    '.',
    '',
    '%2e%2e',
    '<script>',
    "'",
    '\u0000',
    '\u202E',
    '\uD800',
    'e\u0301',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const path = fc.array(hostileSegment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);
const query = fc.option(fc.string({ unit: 'binary', maxLength: 30 }), { nil: undefined });

describe('locale routing helpers', () => {
  it('reads a locale for any path and strips exactly the prefix it read', () => {
    fc.assert(
      fc.property(path, query, (p, q) => {
        const url = q === undefined ? p : `${p}?${q}`;
        const locale = localeFromPath(url);
        assert.ok((locales as readonly string[]).includes(locale));
        const stripped = pathWithoutLocale(url);
        assert.ok(
          stripped.startsWith('/') || stripped === '',
          `${JSON.stringify(url)} → ${JSON.stringify(stripped)}`,
        );
        assert.ok(!stripped.includes('?'), 'no query left');
        // Putting the prefix back gives the path the request came in on.
        // (`/en/` reads as the English home page `/en`: the router ignores trailing slashes.)
        const pathOnly = url.split('?')[0];
        if (locale === 'en' && pathOnly !== '/en/') assert.equal(localisedPath('en', stripped), pathOnly);
        if (locale === 'nl') assert.equal(stripped, pathOnly);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every Dutch path through both locales', () => {
    fc.assert(
      fc.property(path, (p) => {
        for (const locale of locales) {
          const localised = localisedPath(locale, p);
          // A Dutch path that itself starts with /en is ambiguous, and no route of ours does.
          if (p === '/en' || p.startsWith('/en/') || p.startsWith('/en?')) continue;
          assert.equal(localeFromPath(localised), locale);
          assert.equal(pathWithoutLocale(localised), p.split('?')[0]);
        }
        const [nl, en] = bothLocales(p);
        assert.equal(nl, p);
        assert.equal(en, p === '/' ? '/en' : `/en${p}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('error classification', () => {
  it('maps anything thrown to one of our codes, 5xx only for what is not a client error', () => {
    const thrown = fc.oneof(
      fc.anything(),
      fc.record({
        statusCode: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.anything()),
        code: fc.oneof(fc.string(), fc.anything()),
      }),
      fc
        .constantFrom(...(Object.keys(errorCodes) as ErrorCode[]))
        .map((code) => new AppError(code, '<b>detail</b>')),
      fc
        .constantFrom(
          'FST_REQ_FILE_TOO_LARGE',
          'FST_FILES_LIMIT',
          'FST_PARTS_LIMIT',
          'FST_INVALID_MULTIPART_CONTENT_TYPE',
        )
        .map((code) => ({ code })),
    );
    fc.assert(
      fc.property(thrown, (error) => {
        const code = classifyError(error);
        assert.ok(Object.hasOwn(errorCodes, code));
        if (error instanceof AppError) assert.equal(code, error.code);
        const status = (error as { statusCode?: unknown } | null)?.statusCode;
        if (!(error instanceof AppError) && typeof status === 'number' && status >= 400 && status < 500) {
          assert.ok(errorCodes[code].status < 500, `${status} → ${code}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('message catalogs', () => {
  const translators = createTranslators(loadCatalogs());
  const keys = [...loadCatalogs().nl.keys()];

  it('format every message with hostile values without throwing, and keep the values as text', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('{x}', "'{'", '<script>', '\u0000', '\uD800', '{max, plural, one {#} other {#}}'),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: true }),
    );
    const names = ['max', 'min', 'name', 'count', 'maxFiles', 'maxMegabytes', 'number', 'date', 'title'];
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.constantFrom(...locales),
        fc.dictionary(fc.constantFrom(...names), value),
        (key, locale, values) => {
          let text: string;
          try {
            text = translators[locale].t(key, values);
          } catch (error) {
            // intl-messageformat refuses a missing or unusable value for a placeholder: an Error, never a crash.
            assert.ok(error instanceof Error);
            return;
          }
          assert.equal(typeof text, 'string');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuse an unknown key with an Error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        fc.pre(!translators.nl.has(key));
        assert.throws(() => translators.nl.t(key), Error);
      }),
      { numRuns: 100 },
    );
  });
});
