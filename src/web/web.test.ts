import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../test/app.ts';

describe('web plumbing', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('serves pages with a strict CSP, no caching and no referrer', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9_-]+'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    const nonce = /nonce-([A-Za-z0-9_-]+)/.exec(csp)?.[1];
    assert.ok(nonce && response.body.includes(`nonce="${nonce}"`), 'the script tag carries the nonce');
  });

  it('loads nothing from another origin', async () => {
    const { body } = await t.app.inject({ method: 'GET', url: '/' });
    const sources = [...body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    const external = sources.filter((s) => /^(https?:)?\/\//.test(s));
    // The quick exit is a navigation the visitor chooses, never a request the page makes.
    assert.deepEqual(external, [t.config.region.quickExitUrl]);
    for (const tag of body.match(/<(script|link|img)[^>]*>/g) ?? []) {
      assert.doesNotMatch(tag, /(src|href)="(https?:)?\/\//, tag);
    }
  });

  it('serves the stylesheet and script bundles from our origin', async () => {
    const { body } = await t.app.inject({ method: 'GET', url: '/' });
    const css = /href="(\/assets\/baken\.[0-9a-f]+\.css)"/.exec(body)?.[1];
    const js = /src="(\/assets\/baken\.[0-9a-f]+\.js)"/.exec(body)?.[1];
    assert.ok(css && js);
    const cssResponse = await t.app.inject({ method: 'GET', url: css });
    assert.equal(cssResponse.statusCode, 200);
    assert.match(String(cssResponse.headers['content-type']), /text\/css/);
    assert.match(cssResponse.body, /\.utrecht-button/);
    assert.equal((await t.app.inject({ method: 'GET', url: js })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/assets/baken.000.css' })).statusCode, 404);
  });

  it('shows unknown pages as a 404 in the site layout, in the language of the URL', async () => {
    const nl = await t.app.inject({ method: 'GET', url: '/bestaat-niet' });
    assert.equal(nl.statusCode, 404);
    assert.match(nl.body, /<html lang="nl"/);
    assert.match(nl.body, /Deze pagina bestaat niet/);
    assert.match(nl.body, /Snel weg/);
    const en = await t.app.inject({ method: 'GET', url: '/en/does-not-exist' });
    assert.match(en.body, /<html lang="en"/);
    assert.match(en.body, /This page does not exist/);
  });

  it('logs requests without IP addresses, user agents or query strings', async () => {
    await t.app.inject({
      method: 'GET',
      url: '/?name=Jansen',
      headers: { 'user-agent': 'SecretBrowser/1.0', 'x-forwarded-for': '203.0.113.9' },
      remoteAddress: '198.51.100.7',
    });
    const text = JSON.stringify(t.logLines);
    assert.ok(t.logLines.some((line) => line.msg === 'request'));
    for (const secret of ['198.51.100.7', '203.0.113.9', 'SecretBrowser', 'Jansen']) {
      assert.ok(!text.includes(secret), `log contains ${secret}`);
    }
  });
});

describe('cached information pages', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('render once, yet every response carries its own CSP nonce', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await t.app.inject({ method: 'GET', url: '/wat-is-mensenhandel' });
      const nonce =
        /'nonce-([A-Za-z0-9_-]+)'/.exec(String(response.headers['content-security-policy']))?.[1] ?? '';
      assert.ok(response.body.includes(`nonce="${nonce}"`));
      assert.doesNotMatch(response.body, /nonce-marker/);
      nonces.add(nonce);
    }
    assert.equal(nonces.size, 3);
  });
});

describe('links built from the requested URL', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const languageLink = (html: string) => /class="utrecht-link baken-lang" href="([^"]*)"/.exec(html)?.[1];

  it('never point to another site from an odd URL', async () => {
    for (const url of ['/en//evil.example/x', '/en/\\evil.example', '//evil.example']) {
      const response = await t.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404);
      assert.equal(languageLink(response.body), url.startsWith('/en') ? '/' : '/en');
    }
  });

  it('use the route, not the spelling, for a matched page', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/w%61t-is-mensenhandel' });
    assert.equal(response.statusCode, 200);
    assert.equal(languageLink(response.body), '/en/wat-is-mensenhandel');
  });
});

describe('security headers', () => {
  it('are on every response, errors included, with HSTS only in production', async () => {
    const dev = await createTestApp();
    const prod = await createTestApp({ configure: (config) => (config.env = 'production') });
    try {
      for (const url of ['/', '/bestaat-niet']) {
        const response = await dev.app.inject({ method: 'GET', url });
        assert.equal(response.headers['x-frame-options'], 'DENY');
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
        assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
        assert.match(String(response.headers['permissions-policy']), /geolocation=\(\)/);
        assert.match(String(response.headers['content-security-policy']), /base-uri 'none'/);
        assert.equal(response.headers['strict-transport-security'], undefined);
      }
      const secure = await prod.app.inject({ method: 'GET', url: '/' });
      assert.match(String(secure.headers['strict-transport-security']), /max-age=31536000/);
      assert.match(String(secure.headers['content-security-policy']), /upgrade-insecure-requests/);
    } finally {
      await dev.close();
      await prod.close();
    }
  });
});
