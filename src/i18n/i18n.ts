import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';

export const locales = ['nl', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'nl';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export type MessageValues = Record<string, string | number | Date | boolean | null | undefined>;
export type Catalog = Map<string, string>;

const sourceRoot = join(import.meta.dirname, '..');

/**
 * Message catalogs live beside the feature that uses them: `src/<...>/messages/<locale>.json`, flat
 * objects with namespaced keys (`intake.form.title`). Loaded once; a key defined twice is an error.
 */
export function loadCatalogs(root = sourceRoot): Record<Locale, Catalog> {
  const catalogs = { nl: new Map(), en: new Map() } as Record<Locale, Catalog>;
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
    /(^|[\\/])messages[\\/](nl|en)\.json$/.test(file),
  );
  for (const file of files.sort()) {
    const locale = file.slice(-7, -5) as Locale;
    const entries = JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(entries)) {
      if (typeof value !== 'string') throw new Error(`${file}: "${key}" is not a string`);
      if (catalogs[locale].has(key))
        throw new Error(`${relative(root, file).split(sep).join('/')}: duplicate key "${key}"`);
      catalogs[locale].set(key, value);
    }
  }
  return catalogs;
}

export interface Translator {
  locale: Locale;
  t: (key: string, values?: MessageValues) => string;
  has: (key: string) => boolean;
}

export function createTranslators(catalogs: Record<Locale, Catalog>): Record<Locale, Translator> {
  return { nl: createTranslator('nl', catalogs), en: createTranslator('en', catalogs) };
}

function createTranslator(locale: Locale, catalogs: Record<Locale, Catalog>): Translator {
  const compiled = new Map<string, IntlMessageFormat>();
  const formatterFor = (key: string): IntlMessageFormat => {
    let formatter = compiled.get(key);
    if (!formatter) {
      // A key missing in English falls back to Dutch rather than showing a key to a person in need.
      const source = catalogs[locale].get(key) ?? catalogs[defaultLocale].get(key);
      if (source === undefined) throw new Error(`Missing message "${key}"`);
      formatter = new IntlMessageFormat(source, locale);
      compiled.set(key, formatter);
    }
    return formatter;
  };
  return {
    locale,
    has: (key) => catalogs[locale].has(key) || catalogs[defaultLocale].has(key),
    t: (key, values) => String(formatterFor(key).format(values)),
  };
}
