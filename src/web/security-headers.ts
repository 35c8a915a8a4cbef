import { randomFillSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** This response's Content-Security-Policy nonce, for the page's `<script>` tag. */
    cspNonce: string;
  }
}

/**
 * Headers on every response, errors included. The CSP allows nothing from another origin and scripts
 * only with the per-response nonce; nothing is cached, so a shared or seized device keeps as little
 * as possible. The header set is fixed, so it is built once (helmet rebuilt it for every request, a
 * measurable share of serving an information page).
 */
export function registerSecurityHeaders(app: FastifyInstance, config: Config): void {
  const production = config.env === 'production';
  const fixedHeaders: Record<string, string> = {
    'cache-control': 'no-store',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=(), payment=(), usb=()',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  const policyBefore = "default-src 'none'; script-src 'self' 'nonce-";
  const policyAfter = [
    "'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    ...(production ? ['upgrade-insecure-requests'] : []),
  ].join('; ');

  app.decorateReply('cspNonce', '');
  app.addHook('onRequest', (_request, reply, done) => {
    const nonce = nextNonce();
    reply.cspNonce = nonce;
    reply.headers(fixedHeaders);
    reply.header('content-security-policy', `${policyBefore}${nonce}${policyAfter}`);
    done();
  });
}

/** 128-bit nonces cut from a buffer of random bytes refilled now and then, not one system call each. */
const NONCE_BYTES = 16;
const pool = Buffer.alloc(NONCE_BYTES * 256);
let offset = pool.length;

function nextNonce(): string {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('base64url', offset, offset + NONCE_BYTES);
  offset += NONCE_BYTES;
  return nonce;
}
