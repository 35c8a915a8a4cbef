import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../config/config.ts';

/**
 * Cookies are session cookies (gone when the browser closes), HttpOnly and SameSite=Strict; outside
 * development they are Secure and `__Host-` prefixed, so no subdomain or plain-HTTP page can set them.
 */
export function cookieName(config: Config, base: string): string {
  return secure(config) ? `__Host-${base}` : base;
}

export function cookieOptions(config: Config): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(config) };
}

function secure(config: Config): boolean {
  return config.env === 'production';
}
