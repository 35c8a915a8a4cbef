import { randomFillSync } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { sendErrorPage } from './error-handling.tsx';

declare module 'fastify' {
  interface FastifyReply {
    /** This response's Content-Security-Policy nonce, for the page's `<script>` tag. */
    cspNonce: string;
  }
}

/**
 * Powerful browser features the site never uses, switched off for it and anything it might embed.
 * WebAuthn (`publickey-credentials-*`) is left at its default, our own origin: passkeys need it.
 */
const DISABLED_FEATURES = [
  'accelerometer',
  'browsing-topics',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'interest-cohort',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'serial',
  'usb',
];

const headersByServer = new WeakMap<FastifyInstance, (reply: FastifyReply) => void>();

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
    'permissions-policy': DISABLED_FEATURES.map((feature) => `${feature}=()`).join(', '),
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

  const apply = (reply: FastifyReply) => {
    const nonce = nextNonce();
    reply.cspNonce = nonce;
    reply.headers(fixedHeaders);
    reply.header('content-security-policy', `${policyBefore}${nonce}${policyAfter}`);
  };
  headersByServer.set(app, apply);
  app.decorateReply('cspNonce', '');
  app.addHook('onRequest', (_request, reply, done) => {
    apply(reply);
    done();
  });
}

/**
 * For Fastify's `frameworkErrors` option: a malformed URL (`/%E0%A4%A`) or an over-long parameter is
 * answered before any hook runs, by default as JSON repeating the URL and without our headers. This
 * answers it as any other bad request: the error page, with every header.
 */
export function answerFrameworkError(
  _error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  headersByServer.get(request.server)?.(reply);
  void sendErrorPage(request, reply, 'bad_request');
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
