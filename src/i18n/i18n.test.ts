import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntlMessageFormat } from 'intl-messageformat';
import { isLiteralElement } from '@formatjs/icu-messageformat-parser';
import { createTranslators, loadCatalogs } from './i18n.ts';

type Ast = ReturnType<IntlMessageFormat['getAst']>;

/** The argument names a message uses, also inside plural and select branches. */
function argumentsOf(ast: Ast, names = new Set<string>()): string[] {
  for (const element of ast) {
    if ('value' in element && typeof element.value === 'string' && !isLiteralElement(element)) {
      names.add(element.value);
    }
    if ('options' in element) {
      for (const option of Object.values(element.options as Record<string, { value: Ast }>))
        argumentsOf(option.value, names);
    }
    if ('children' in element) argumentsOf(element.children, names);
  }
  return [...names].sort();
}

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
      assert.deepEqual(
        argumentsOf(new IntlMessageFormat(en, 'en').getAst()),
        argumentsOf(new IntlMessageFormat(nl, 'nl').getAst()),
        `placeholders of ${key}`,
      );
    }
  });

  it('translates and falls back with a clear error for unknown keys', () => {
    const translators = createTranslators(catalogs);
    assert.equal(translators.nl.t('common.language.nl'), 'Nederlands');
    assert.equal(translators.en.t('common.language.nl'), 'Nederlands');
    assert.throws(() => translators.nl.t('no.such.key'), /Missing message/);
  });
});
