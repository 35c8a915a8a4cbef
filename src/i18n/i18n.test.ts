import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntlMessageFormat } from 'intl-messageformat';
import { createTranslators, loadCatalogs } from './i18n.ts';

describe('message catalogs', () => {
  const catalogs = loadCatalogs();

  it('has every key in both Dutch and English', () => {
    const nl = [...catalogs.nl.keys()].sort();
    const en = [...catalogs.en.keys()].sort();
    assert.ok(nl.length > 0);
    assert.deepEqual(
      nl.filter((k) => !catalogs.en.has(k)),
      [],
      'keys missing in English',
    );
    assert.deepEqual(
      en.filter((k) => !catalogs.nl.has(k)),
      [],
      'keys missing in Dutch',
    );
  });

  it('parses every message, with the same placeholders in both languages', () => {
    for (const [key, nl] of catalogs.nl) {
      const en = catalogs.en.get(key) ?? '';
      new IntlMessageFormat(nl, 'nl');
      new IntlMessageFormat(en, 'en');
      const placeholders = (s: string) => [...s.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();
      assert.deepEqual(placeholders(en), placeholders(nl), `placeholders of ${key}`);
    }
  });

  it('translates and falls back with a clear error for unknown keys', () => {
    const translators = createTranslators(catalogs);
    assert.equal(translators.nl.t('common.language.nl'), 'Nederlands');
    assert.equal(translators.en.t('common.language.nl'), 'Nederlands');
    assert.throws(() => translators.nl.t('no.such.key'), /Missing message/);
  });
});
