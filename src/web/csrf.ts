import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveKey } from '../crypto/keys.ts';
import { cookieName, cookieOptions } from './cookies.ts';

/**
 * CSRF protection for every state-changing form: a random secret in a session cookie, and a signed,
 * time-limited token derived from it in a hidden field. Tokens last long enough to write a report.
 */
const TOKEN_VALIDITY_MS = 4 * 60 * 60 * 1000;
export const CSRF_FIELD = '_csrf';

type CsrfTokens = Tokens.TokensSimple;
const tokensByServer = new WeakMap<object, CsrfTokens>();

function tokensFor(request: FastifyRequest): CsrfTokens {
  let tokens = tokensByServer.get(request.server);
  if (!tokens) {
    tokens = Tokens({
      validity: TOKEN_VALIDITY_MS,
      hmacKey: deriveKey(request.server.deps.config.secrets.secretKey, 'csrf'),
    });
    tokensByServer.set(request.server, tokens);
  }
  return tokens;
}

/** A token for a form on this page, creating the secret cookie on first use. */
export function issueCsrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const config = request.server.deps.config;
  const name = cookieName(config, 'baken_csrf');
  const tokens = tokensFor(request);
  let secret = request.cookies[name];
  if (!secret || secret.length < 16) {
    secret = tokens.secretSync();
    reply.setCookie(name, secret, cookieOptions(config));
    // Make the new secret visible to a second token issued in the same request.
    request.cookies[name] = secret;
  }
  return tokens.create(secret);
}

export function isValidCsrfToken(request: FastifyRequest, token: unknown): boolean {
  const secret = request.cookies[cookieName(request.server.deps.config, 'baken_csrf')];
  if (!secret || typeof token !== 'string' || token.length > 200) return false;
  try {
    return tokensFor(request).verify(secret, token);
  } catch {
    return false;
  }
}
