import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { SourceThrottle } from './source-throttle.ts';

const requestFrom = (ip: string) => ({ ip }) as FastifyRequest;
const limits = { maxFailures: 5, slowAfter: 2, baseDelayMs: 100, maxDelayMs: 250, windowMs: 1000 };

describe('per-source throttle', () => {
  it('slows down after some failures, doubling up to a maximum, then refuses', () => {
    const throttle = new SourceThrottle(limits);
    const source = throttle.sourceOf(requestFrom('198.51.100.1'));
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = throttle.check(source);
      assert.ok(decision.allowed);
      delays.push(decision.delayMs);
      throttle.recordFailure(source);
    }
    assert.deepEqual(delays, [0, 0, 100, 200, 250]);
    assert.deepEqual(throttle.check(source), { allowed: false });
  });

  it('keeps sources apart and does not reveal the address', () => {
    const throttle = new SourceThrottle(limits);
    const a = throttle.sourceOf(requestFrom('198.51.100.1'));
    const b = throttle.sourceOf(requestFrom('198.51.100.2'));
    assert.notEqual(a, b);
    assert.ok(!a.includes('198.51.100.1'));
    for (let i = 0; i < 5; i++) throttle.recordFailure(a);
    assert.deepEqual(throttle.check(a), { allowed: false });
    assert.deepEqual(throttle.check(b), { allowed: true, delayMs: 0 });
  });

  it('forgets everything when the window ends: new key, new counters', () => {
    let now = 0;
    const throttle = new SourceThrottle(limits, () => now);
    const before = throttle.sourceOf(requestFrom('198.51.100.1'));
    for (let i = 0; i < 5; i++) throttle.recordFailure(before);
    now = 1000;
    const after = throttle.sourceOf(requestFrom('198.51.100.1'));
    assert.notEqual(after, before, 'the hash key rotated');
    assert.deepEqual(throttle.check(after), { allowed: true, delayMs: 0 });
  });
});
