import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { SourceThrottle, addressBlock } from './source-throttle.ts';

const requestFrom = (ip: string) => ({ ip }) as FastifyRequest;
const limits = { maxAttempts: 5, slowAfter: 2, baseDelayMs: 100, maxDelayMs: 250, windowMs: 1000 };

describe('per-source throttle', () => {
  it('slows down after some attempts, doubling up to a maximum, then refuses', () => {
    const throttle = new SourceThrottle(limits);
    const source = throttle.sourceOf(requestFrom('198.51.100.1'));
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = throttle.begin(source);
      assert.ok(decision.allowed);
      delays.push(decision.delayMs);
    }
    assert.deepEqual(delays, [0, 0, 100, 200, 250]);
    assert.deepEqual(throttle.begin(source), { allowed: false });
  });

  it('counts attempts as they start, so simultaneous requests cannot all slip through', () => {
    const throttle = new SourceThrottle(limits);
    const source = throttle.sourceOf(requestFrom('198.51.100.9'));
    const decisions = Array.from({ length: 20 }, () => throttle.begin(source));
    assert.equal(decisions.filter((d) => d.allowed).length, 5);
  });

  it('gives back an attempt that does not count', () => {
    const throttle = new SourceThrottle(limits);
    const source = throttle.sourceOf(requestFrom('198.51.100.10'));
    for (let i = 0; i < 10; i++) {
      assert.ok(throttle.begin(source).allowed);
      throttle.refund(source);
    }
  });

  it('keeps sources apart and does not reveal the address', () => {
    const throttle = new SourceThrottle(limits);
    const a = throttle.sourceOf(requestFrom('198.51.100.1'));
    const b = throttle.sourceOf(requestFrom('198.51.100.2'));
    assert.notEqual(a, b);
    assert.ok(!a.includes('198.51.100.1'));
    for (let i = 0; i < 5; i++) throttle.begin(a);
    assert.deepEqual(throttle.begin(a), { allowed: false });
    assert.deepEqual(throttle.begin(b), { allowed: true, delayMs: 0 });
  });

  it('treats an IPv6 /64 as one source', () => {
    assert.equal(addressBlock('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressBlock('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressBlock('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressBlock('198.51.100.7'), '198.51.100.7');
    assert.equal(addressBlock('::ffff:198.51.100.7'), '::ffff:198.51.100.7');
    const throttle = new SourceThrottle(limits);
    assert.equal(
      throttle.sourceOf(requestFrom('2001:db8:1:2::1')),
      throttle.sourceOf(requestFrom('2001:db8:1:2::2')),
    );
  });

  it('forgets everything when the window ends: new key, new counters', () => {
    let now = 0;
    const throttle = new SourceThrottle(limits, () => now);
    const before = throttle.sourceOf(requestFrom('198.51.100.1'));
    for (let i = 0; i < 5; i++) throttle.begin(before);
    now = 1000;
    const after = throttle.sourceOf(requestFrom('198.51.100.1'));
    assert.notEqual(after, before, 'the hash key rotated');
    assert.deepEqual(throttle.begin(after), { allowed: true, delayMs: 0 });
  });

  it('keys any identifier without keeping it, and forgets a key on request', () => {
    const throttle = new SourceThrottle(limits);
    const account = throttle.keyOf('sanne@example.org');
    assert.equal(throttle.keyOf('sanne@example.org'), account, 'stable within the window');
    assert.notEqual(throttle.keyOf('piet@example.org'), account);
    assert.ok(!account.includes('sanne'));
    for (let i = 0; i < 3; i++) throttle.begin(account);
    assert.deepEqual(throttle.begin(account), { allowed: true, delayMs: 200 }, 'slowed after two');
    throttle.forget(account);
    assert.deepEqual(throttle.begin(account), { allowed: true, delayMs: 0 }, 'a fresh start');
  });
});
