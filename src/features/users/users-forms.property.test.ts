import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { TEAM_NAME_MAX, validateInvite, validateRoleChange, validateTeamName } from './users-forms.ts';
import { hashStaffToken, isPlausibleToken } from './staff-tokens.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import { formBody, hostileText } from '../../test/properties.ts';

const hostile = hostileText({
  samples: [
    'admin',
    'coordinator',
    'advisor',
    'partner',
    'statistics',
    'ADMIN',
    ' admin',
    '__proto__',
    '\u0000',
    "' OR 1=1 --",
    '<script>',
    'a@b.nl',
  ],
  more: [fc.uuid()],
  overLong: [95, 300],
});
const form = formBody(['display_name', 'email', 'role', 'team', 'name', '_csrf', 'x'], [hostile]);

describe('the administrators’ forms, hostile input', () => {
  it('invite: a value of the declared shape or problems on real fields', () => {
    fc.assert(
      fc.property(form, (body) => {
        const result = validateInvite(normaliseForm(body));
        if (result.ok) {
          assert.ok(['coordinator', 'advisor', 'admin', 'partner', 'statistics'].includes(result.value.role));
          assert.match(result.value.email, /@/);
          if (result.value.teamId !== undefined) assert.match(result.value.teamId, /^[0-9a-f-]{36}$/i);
          return;
        }
        for (const p of result.problems)
          assert.ok(['display_name', 'email', 'role', 'team'].includes(p.field), p.field);
      }),
      { numRuns: 500 },
    );
  });

  it('role change and team name: the same', () => {
    fc.assert(
      fc.property(form, (body) => {
        const input = normaliseForm(body);
        const role = validateRoleChange(input);
        if (role.ok) {
          if (role.value.teamId !== undefined) assert.match(role.value.teamId, /^[0-9a-f-]{36}$/i);
        } else for (const p of role.problems) assert.ok(['role', 'team'].includes(p.field));
        const team = validateTeamName(input);
        if (team.ok) assert.ok(team.value.length >= 1 && team.value.length <= TEAM_NAME_MAX);
        else for (const p of team.problems) assert.equal(p.field, 'name');
      }),
      { numRuns: 500 },
    );
  });

  it('looks up only tokens shaped like ours, and hashes any string', () => {
    const root = randomBytes(32);
    fc.assert(
      fc.property(fc.oneof(hostile, fc.base64String()), (token) => {
        if (isPlausibleToken(token)) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
        assert.match(hashStaffToken(root, token), /^[0-9a-f]{64}$/);
      }),
      { numRuns: 300 },
    );
    assert.ok(isPlausibleToken(randomBytes(32).toString('base64url')));
  });
});
