import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { staticGetPaths } from './discover-pages.ts';

describe('page discovery', () => {
  it('finds every static GET route and nothing else', async () => {
    const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
    const statics = [
      '/',
      '/en',
      '/melden',
      '/en/melden',
      '/melden/bedankt',
      '/en/melden/bedankt',
      '/melding',
      '/mijn-melding',
      '/wat-is-mensenhandel',
      '/healthz',
      '/staff/login',
    ];
    for (const path of statics) app.get(path, () => 'x');
    for (const path of ['/assets/:file', '/mijn-melding/:code', '/x/:id/y', '/a/*']) app.get(path, () => 'x');
    app.post('/alleen-post', () => 'x');
    await app.ready();
    assert.deepEqual(staticGetPaths(app), [...statics].sort());
    await app.close();
  });
});
