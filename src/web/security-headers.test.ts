import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Fastify, { type LightMyRequestResponse } from 'fastify';
import cookie from '@fastify/cookie';
import { createTestApp, type TestApp } from '../test/app.ts';
import { createStaffSession } from '../features/auth/session-service.ts';
import { isStaffPath, registeredRoutes } from './policy.ts';
import { answerFrameworkError, registerSecurityHeaders } from './security-headers.ts';
import { registerErrorHandling } from './error-handling.tsx';

/**
 * Every response carries the full set of security headers: every registered route (GET and POST,
 * both languages, anonymous and signed in), an unknown page, error pages and the bundled assets.
 */
const REQUIRED: Record<string, RegExp> = {
  'content-security-policy': /^default-src 'none'; /,
  'referrer-policy': /^no-referrer$/,
  'permissions-policy':
    /^(?=.*\bcamera=\(\))(?=.*\bmicrophone=\(\))(?=.*\bgeolocation=\(\))(?=.*\bpayment=\(\))/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'cross-origin-opener-policy': /^same-origin$/,
  'cross-origin-resource-policy': /^same-origin$/,
};

/** Every directive of the policy allows only our own origin, the nonce, or nothing. */
function assertStrictPolicy(csp: string, label: string): void {
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|\*|data:|blob:/, label);
  assert.match(csp, /frame-ancestors 'none'/, label);
  assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9_-]{22,}'(;|$)/, label);
  for (const directive of csp.split(';').map((d) => d.trim())) {
    const [, ...sources] = directive.split(/\s+/);
    for (const source of sources) {
      assert.match(source, /^('self'|'none'|'nonce-[A-Za-z0-9_-]+')$/, `${label}: ${directive}`);
    }
  }
}

function assertHeaders(response: LightMyRequestResponse, label: string, production: boolean): void {
  for (const [name, pattern] of Object.entries(REQUIRED)) {
    assert.match(String(response.headers[name] ?? ''), pattern, `${label}: ${name}`);
  }
  assertStrictPolicy(String(response.headers['content-security-policy']), label);
  const hsts = response.headers['strict-transport-security'];
  if (production) assert.match(String(hsts), /^max-age=31536000; includeSubDomains$/, label);
  else assert.equal(hsts, undefined, `${label}: no HSTS outside production`);
}

const concrete = (url: string) => url.replace(/:[^/]+/g, randomUUID()).replace(/\*/g, 'x');

describe('security headers on every response', () => {
  let dev: TestApp;
  let prod: TestApp;
  let staffUserId = '';

  before(async () => {
    dev = await createTestApp();
    prod = await createTestApp({ configure: (config) => (config.env = 'production') });
    staffUserId = randomUUID();
    await dev.database.db
      .insertInto('staff_user')
      .values({
        id: staffUserId,
        email: 'beheer@example.org',
        display_name: 'Beheer',
        role: 'admin',
        password_hash: 'not-a-hash',
      })
      .execute();
  });
  after(async () => {
    await dev.close();
    await prod.close();
  });

  async function send(t: TestApp, method: string, url: string, cookie?: string) {
    const withBody = method !== 'GET' && method !== 'HEAD';
    return t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(withBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(withBody ? { payload: 'a=b' } : {}),
    });
  }

  it('for every registered route, anonymous and signed in, in development and production', async () => {
    let checked = 0;
    for (const [t, production] of [
      [dev, false],
      [prod, true],
    ] as const) {
      for (const route of registeredRoutes(t.app)) {
        if (!['GET', 'HEAD', 'POST'].includes(route.method)) continue;
        const url = concrete(route.url);
        assertHeaders(await send(t, route.method, url), `${route.method} ${url}`, production);
        checked++;
        if (!production && isStaffPath(route.url)) {
          const session = await createStaffSession(dev.database.db, staffUserId, 'full');
          const response = await send(t, route.method, url, `baken_staff=${session}`);
          assertHeaders(response, `${route.method} ${url} signed in`, production);
          checked++;
        }
      }
    }
    assert.ok(checked > 200, `${checked} responses checked`);
  });

  it('on an unknown page, error pages and assets', async () => {
    const home = await dev.app.inject({ method: 'GET', url: '/' });
    const assets = [...home.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(assets.length >= 2, 'the page links its stylesheet and script');
    for (const [t, production] of [
      [dev, false],
      [prod, true],
    ] as const) {
      const responses: [string, LightMyRequestResponse][] = [
        ['unknown page', await send(t, 'GET', '/bestaat-niet')],
        ['unknown page, English', await send(t, 'POST', '/en/does-not-exist')],
        [
          'malformed upload',
          await t.app.inject({
            method: 'POST',
            url: '/melden/versturen',
            headers: { 'content-type': 'multipart/form-data; boundary=x' },
            payload: 'not multipart at all',
          }),
        ],
        [
          'body too large',
          await t.app.inject({
            method: 'POST',
            url: '/beheer/inloggen',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: `a=${'x'.repeat(2 * 1024 * 1024)}`,
          }),
        ],
        ...(await Promise.all(
          assets.map(async (path): Promise<[string, LightMyRequestResponse]> => [
            `asset ${path}`,
            await send(t, 'GET', path),
          ]),
        )),
      ];
      for (const [label, response] of responses) assertHeaders(response, label, production);
      const statuses = responses.map(([, r]) => r.statusCode);
      assert.ok(statuses.includes(404) && statuses.some((s) => s === 400 || s === 413), String(statuses));
    }
  });

  it('on a malformed URL, answered before any hook runs (with frameworkErrors)', async () => {
    // The same handler as the app's, on an app of just the headers and error pages.
    const bare = Fastify({ frameworkErrors: answerFrameworkError });
    try {
      bare.decorate('deps', dev.app.deps);
      await bare.register(cookie);
      registerSecurityHeaders(bare, { ...dev.config, env: 'production' });
      registerErrorHandling(bare);
      for (const url of ['/%E0%A4%A', '/en/melden%']) {
        const response = await bare.inject({ method: 'GET', url });
        assert.equal(response.statusCode, 400, url);
        assert.match(String(response.headers['content-type']), /text\/html/, url);
        assert.doesNotMatch(response.body, /E0%A4%A|FST_ERR/, 'the URL is not repeated');
        assertHeaders(response, `malformed URL ${url}`, true);
      }
    } finally {
      await bare.close();
    }
  });

  it('on a malformed URL in the app', async () => {
    assertHeaders(await send(dev, 'GET', '/%E0%A4%A'), 'malformed URL', false);
  });

  it('gives every response its own nonce, and the page uses it', async () => {
    const nonceOf = (response: LightMyRequestResponse) =>
      /'nonce-([A-Za-z0-9_-]+)'/.exec(String(response.headers['content-security-policy']))?.[1] ?? '';
    const responses = [
      await dev.app.inject({ method: 'GET', url: '/melden' }),
      await dev.app.inject({ method: 'GET', url: '/melden' }),
      await dev.app.inject({ method: 'GET', url: '/bestaat-niet' }),
    ];
    const nonces = responses.map(nonceOf);
    assert.equal(new Set(nonces).size, nonces.length, 'no nonce repeats');
    for (const [i, response] of responses.entries()) {
      assert.ok(response.body.includes(`nonce="${nonces[i]}"`), 'the script tag carries this nonce');
    }
  });
});
