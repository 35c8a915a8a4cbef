import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { can, grants, isStaffPath, permissions, registerPolicy, roles } from './policy.ts';

describe('the policy table', () => {
  it('gives administrators users and configuration, never case content', () => {
    assert.ok(can('admin', 'users.manage'));
    assert.ok(can('admin', 'config.manage'));
    for (const permission of permissions.filter((p) => p.startsWith('cases.') || p.startsWith('reports.'))) {
      assert.equal(can('admin', permission), false, permission);
    }
  });

  it('gives coordinators all cases, assignment and closure; advisors their own, their team and break-glass', () => {
    for (const p of ['cases.read.all', 'cases.assign', 'cases.close.approve'] as const)
      assert.ok(can('coordinator', p));
    assert.equal(can('advisor', 'cases.read.all'), false);
    assert.ok(can('advisor', 'cases.read.assigned'));
    assert.ok(can('advisor', 'cases.read.team'));
    assert.ok(can('advisor', 'cases.break_glass'));
    assert.equal(can('coordinator', 'users.manage'), false);
  });

  it('lets coordinators and advisors read and answer reports, and nobody else', () => {
    for (const p of ['reports.read', 'reports.reply'] as const) {
      assert.deepEqual(
        roles.filter((role) => can(role, p)),
        ['coordinator', 'advisor'],
        p,
      );
    }
  });

  it('gives the roles of later issues (partner, statistics) nothing yet', () => {
    for (const role of ['partner', 'statistics'] as const) {
      assert.deepEqual(grants[role], []);
      for (const permission of permissions) assert.equal(can(role, permission), false);
    }
  });

  it('names only known permissions, for every role', () => {
    for (const role of roles)
      for (const p of grants[role]) assert.ok(permissions.includes(p), `${role}: ${p}`);
  });

  it('knows the back-office paths in both languages', () => {
    for (const path of ['/beheer', '/beheer/inloggen', '/en/beheer', '/en/beheer/x/y'])
      assert.ok(isStaffPath(path));
    for (const path of ['/', '/beheerder', '/en', '/en/beheerder', '/melden'])
      assert.equal(isStaffPath(path), false);
  });
});

describe('routes must declare a rule', () => {
  async function appWith(register: (app: FastifyInstance) => unknown) {
    const app: FastifyInstance = Fastify();
    registerPolicy(app);
    try {
      register(app);
      await app.ready();
      return undefined;
    } catch (error) {
      return error as Error;
    } finally {
      await app.close();
    }
  }

  it('refuses to start with a back-office route that declares no rule', async () => {
    for (const path of ['/beheer/zaken', '/en/beheer/zaken', '/beheer']) {
      const error = await appWith((app) => app.get(path, () => 'x'));
      assert.match(String(error?.message), /has no access rule/, path);
    }
    // Registered as app.ts registers features: a plugin function that adds its routes.
    const registerFeature = (feature: FastifyInstance): void => {
      feature.post('/beheer/zaken/:id', () => 'x');
    };
    const inPlugin = await appWith((app) => app.register(registerFeature));
    assert.match(String(inPlugin?.message), /has no access rule/);
  });

  it('refuses an unknown permission or access rule', async () => {
    const unknown = await appWith((app) =>
      app.get('/beheer/x', { config: { permission: 'cases.delete_everything' as never } }, () => 'x'),
    );
    assert.match(String(unknown?.message), /unknown permission/);
    const access = await appWith((app) =>
      app.get('/beheer/x', { config: { access: 'open' as never } }, () => 'x'),
    );
    assert.match(String(access?.message), /unknown access rule/);
  });

  it('starts with declared rules, and leaves routes outside the back office alone', async () => {
    assert.equal(
      await appWith((app) => {
        app.get('/beheer/zaken', { config: { permission: 'cases.read.all' } }, () => 'x');
        app.get('/beheer/inloggen', { config: { access: 'public' } }, () => 'x');
        app.get('/contact', () => 'x');
      }),
      undefined,
    );
  });
});
