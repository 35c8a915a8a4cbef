import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { createStaffUser, totpNow } from '../../test/staff.ts';
import { confirmEnrolment, startEnrolment, verifyTotp } from './second-factor-service.ts';

/**
 * The TOTP rules from the issue, at fixed instants (no clock involved): a code is valid for its own
 * 30-second step and one step either side (clock drift), and only once: after a code of a step is
 * accepted, no code of that step or an earlier one is (replay guard).
 */
const STEP_MS = 30_000;
/** The middle of some 30-second step, far from now so nothing depends on the real clock. */
const T0 = 1_900_000_000 * 1000 + STEP_MS / 2;

describe('TOTP: one 30-second step, ±1 for drift, each step once', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** A user enrolled with a code of the step before T0 - 10 steps. */
  async function enrolledUser(): Promise<{ userId: string; secret: string }> {
    const user = await createStaffUser(t.app, 'advisor');
    const { db, config } = t.app.deps;
    const enrolment = await startEnrolment(db, config.secrets, { id: user.id, label: 'x', issuer: 'Baken' });
    assert.ok(enrolment);
    const secret = enrolment.secretGroups.replace(/ /g, '');
    const enrolledAt = T0 - 10 * STEP_MS;
    const codes = await confirmEnrolment(
      db,
      config.secrets,
      user.id,
      totpNow(secret, enrolledAt),
      enrolledAt,
    );
    assert.ok(codes, 'enrolled');
    return { userId: user.id, secret };
  }

  const verify = (userId: string, code: string, now: number) =>
    verifyTotp(t.app.deps.db, t.app.deps.config.secrets, userId, code, now);

  it('accepts the code of the current step, and of one step before or after (drift)', async () => {
    for (const offset of [-1, 0, 1]) {
      const { userId, secret } = await enrolledUser();
      assert.equal(await verify(userId, totpNow(secret, T0 + offset * STEP_MS), T0), true, `step ${offset}`);
    }
  });

  it('refuses codes two or more steps away', async () => {
    const { userId, secret } = await enrolledUser();
    for (const offset of [-3, -2, 2, 3]) {
      assert.equal(await verify(userId, totpNow(secret, T0 + offset * STEP_MS), T0), false, `step ${offset}`);
    }
  });

  it('refuses a code used before, and any code of an earlier step after a later one (replay guard)', async () => {
    const { userId, secret } = await enrolledUser();
    const current = totpNow(secret, T0);
    assert.equal(await verify(userId, current, T0), true);
    assert.equal(await verify(userId, current, T0), false, 'the same code again');
    assert.equal(await verify(userId, current, T0 + STEP_MS), false, 'still within its drift window');
    assert.equal(await verify(userId, totpNow(secret, T0 - STEP_MS), T0), false, 'an older step');
    assert.equal(await verify(userId, totpNow(secret, T0 + STEP_MS), T0 + STEP_MS), true, 'the next step');
  });

  it('refuses a step older than the enrolment code’s step', async () => {
    const { userId, secret } = await enrolledUser();
    const enrolStep = T0 - 10 * STEP_MS;
    assert.equal(await verify(userId, totpNow(secret, enrolStep), enrolStep), false);
    assert.equal(await verify(userId, totpNow(secret, enrolStep - STEP_MS), enrolStep), false);
  });
});
