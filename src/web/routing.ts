import type { Locale } from '../i18n/i18n.ts';

/** English pages live under `/en`; Dutch, the default, at the root. */
export function localeFromPath(path: string): Locale {
  return path === '/en' || path.startsWith('/en/') || path.startsWith('/en?') ? 'en' : 'nl';
}

/** The path without its locale prefix and query: `/en/contact?x` → `/contact`. */
export function pathWithoutLocale(url: string): string {
  const path = url.split('?')[0] ?? '/';
  if (path === '/en') return '/';
  return path.startsWith('/en/') ? path.slice(3) : path;
}

export function localisedPath(locale: Locale, path: string): string {
  if (locale === 'nl') return path;
  return path === '/' ? '/en' : `/en${path}`;
}

/** Both URLs a localised page answers on. */
export function bothLocales(path: string): string[] {
  return [localisedPath('nl', path), localisedPath('en', path)];
}
