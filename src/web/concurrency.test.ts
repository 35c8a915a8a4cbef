import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimit } from './concurrency.ts';
import { AppError } from './errors.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrency limit', () => {
  it('never runs more than its slots, and serves urgent work first', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const job = (name: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      order.push(name);
      running--;
    };
    await Promise.all([
      limit.run(job('a')),
      limit.run(job('b')),
      limit.run(job('normal')),
      limit.run(job('urgent'), 'urgent'),
    ]);
    assert.equal(peak, 2);
    assert.ok(order.indexOf('urgent') < order.indexOf('normal'));
  });

  it('refuses with "unavailable" when the line is full, and keeps working after errors', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    let release: () => void = () => undefined;
    const blocker = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const waiting = limit.run(() => Promise.resolve('second'));
    await assert.rejects(
      limit.run(() => Promise.resolve('third')),
      (error: unknown) => error instanceof AppError && error.code === 'unavailable',
    );
    release();
    await blocker;
    assert.equal(await waiting, 'second');
    await assert.rejects(
      limit.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await limit.run(() => Promise.resolve(1)), 1);
  });
});
