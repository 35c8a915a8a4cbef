import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Region } from '../config/region.ts';
import type { Locale, MessageValues, Translator } from '../i18n/i18n.ts';
import { localeFromPath, localisedPath, pathWithoutLocale } from './routing.ts';
import type { Role } from './policy.ts';

/** Everything a view needs about the request it renders for. */
export interface PageContext {
  locale: Locale;
  t: (key: string, values?: MessageValues) => string;
  /** Nonce for inline-free `<script>` tags under the Content-Security-Policy. */
  nonce: string;
  region: Region;
  /** The current path without locale prefix, e.g. `/contact`. */
  path: string;
  /** A path in the current language. */
  href: (path: string) => string;
  /** The current page in the other language. */
  alternate: { locale: Locale; href: string };
  assets: { stylesheet: string; script: string };
  /** The signed-in staff member's role on back-office pages (for the navigation), else undefined. */
  staffRole: Role | undefined;
}

/**
 * The page's own path without locale prefix, as used in links. A matched route without parameters
 * gives its pattern, so odd spellings of a URL (`/cont%61ct`) never become new links or cache keys;
 * an unknown URL links back to the home page rather than echoing whatever was requested.
 */
function pagePath(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined) return '/';
  if (!route.includes(':') && !route.includes('*')) return pathWithoutLocale(route);
  return pathWithoutLocale(request.url).replace(/[\\]/g, '/').replace(/^\/+/, '/');
}

export function buildPageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  const { translators, config, assets } = request.server.deps;
  const locale = localeFromPath(request.url);
  const translator: Translator = translators[locale];
  const path = pagePath(request);
  const other: Locale = locale === 'nl' ? 'en' : 'nl';
  return {
    locale,
    t: translator.t,
    nonce: reply.cspNonce,
    region: config.region,
    path,
    href: (target) => localisedPath(locale, target),
    alternate: { locale: other, href: localisedPath(other, path) },
    assets: { stylesheet: assets.stylesheet.path, script: assets.script.path },
    staffRole: request.staff?.role,
  };
}
