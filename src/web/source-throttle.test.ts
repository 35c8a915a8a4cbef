import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { RedisThrottle, SourceThrottle, addressBlock } from './source-throttle.ts';

const requestFrom = (ip: string) => ({ ip, log: { warn: () => undefined } }) as unknown as FastifyRequest;
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

const redisUrl = process.env.REDIS_URL;

describe(
  'per-source throttle shared through Redis',
  { skip: redisUrl ? false : 'REDIS_URL is not set' },
  () => {
    let redis: Redis;
    before(() => {
      redis = new Redis(redisUrl ?? '', { maxRetriesPerRequest: 1 });
    });
    after(async () => {
      await redis.quit();
    });
    /** A name of its own per test, so parallel runs on one Redis never share counters. */
    const uniqueName = () => `test-${randomUUID()}`;

    it('shares counts between instances, under a keyed hash that expires with the window', async () => {
      const name = uniqueName();
      const sharedLimits = { ...limits, windowMs: 60_000 };
      const [one, two] = [
        new RedisThrottle(redis, name, sharedLimits),
        new RedisThrottle(redis, name, sharedLimits),
      ];
      const request = requestFrom('198.51.100.77');
      const delays: number[] = [];
      for (const instance of [one, two, one, two, one]) {
        const { decision } = await instance.begin(request);
        assert.ok(decision.allowed);
        delays.push(decision.delayMs);
      }
      assert.deepEqual(delays, [0, 0, 100, 200, 250], 'both instances count towards one limit');
      assert.equal((await two.begin(request)).decision.allowed, false);
      assert.equal(
        (await one.begin(requestFrom('198.51.100.78'))).decision.allowed,
        true,
        'others are apart',
      );

      const keys = await redis.keys(`baken:throttle:${name}:*`);
      assert.ok(keys.length >= 3);
      for (const key of keys) {
        assert.ok(!key.includes('198.51.100'), `${key} does not name the address`);
        const ttl = await redis.pttl(key);
        assert.ok(
          ttl > 0 && ttl <= sharedLimits.windowMs + 1000,
          `${key} expires with the window (${ttl} ms)`,
        );
      }
    });

    it('keeps in Redis nothing from which the address can be found again', async () => {
      const name = uniqueName();
      const secret = randomBytes(32);
      const throttle = new RedisThrottle(redis, name, limits, undefined, Date.now, secret);
      const address = '198.51.100.81';
      const { source } = await throttle.begin(requestFrom(address));
      const [keyName] = await redis.keys(`baken:throttle:${name}:key:*`);
      assert.ok(keyName);
      const stored = (await redis.get(keyName)) ?? '';
      // What a copy of Redis gives: the window's value, tried as the key itself or as its base64.
      for (const key of [stored, Buffer.from(stored, 'base64')]) {
        const guess = createHmac('sha256', key).update(address).digest('base64url');
        assert.notEqual(guess, source, 'the hash can be recomputed from Redis alone');
      }
      assert.equal(await redis.exists(`baken:throttle:${name}:${source}`), 1);
      const other = new RedisThrottle(redis, name, limits, undefined, Date.now, secret);
      assert.equal((await other.begin(requestFrom(address))).source, source, 'instances still agree');
    });

    it('gives back an attempt, and starts afresh under a new key in the next window', async () => {
      let now = 10_000_000;
      const throttle = new RedisThrottle(redis, uniqueName(), limits, undefined, () => now);
      const request = requestFrom('198.51.100.79');
      for (let i = 0; i < 10; i++) {
        const { source, decision } = await throttle.begin(request);
        assert.ok(decision.allowed);
        await throttle.refund(source);
      }
      let last = '';
      for (let i = 0; i < 6; i++) last = (await throttle.begin(request)).source;
      assert.equal((await throttle.begin(request)).decision.allowed, false);
      now += limits.windowMs;
      const next = await throttle.begin(request);
      assert.notEqual(next.source, last, 'the hash key rotated');
      assert.deepEqual(next.decision, { allowed: true, delayMs: 0 });
    });
  },
);

describe('per-source throttle without a reachable Redis', () => {
  it('keeps counting in the process instead of letting everything through', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false });
    try {
      const throttle = new RedisThrottle(down, 'down', limits);
      const request = requestFrom('198.51.100.80');
      const allowed: boolean[] = [];
      for (let i = 0; i < 7; i++) allowed.push((await throttle.begin(request)).decision.allowed);
      assert.deepEqual(allowed, [true, true, true, true, true, false, false]);
    } finally {
      down.disconnect();
    }
  });
});
