import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { ThrottleLimits } from '../config/config.ts';

/**
 * Per-source limits without storing who the source is. A client address is reduced to a keyed hash
 * whose key lives only in memory and is replaced every window; a new key makes every old counter
 * unreachable, so nothing can later link a counter to an address, and nothing reaches the database
 * or the logs.
 *
 * An attempt is counted when it starts (`begin`), so many requests sent at once cannot all slip
 * through before the first one is counted; an attempt that should not count is refunded after.
 */
export type ThrottleDecision = { allowed: true; delayMs: number } | { allowed: false };

const MAX_TRACKED_SOURCES = 100_000;

export class SourceThrottle {
  readonly #limits: ThrottleLimits;
  readonly #now: () => number;
  #key = randomBytes(32);
  #attempts = new Map<string, number>();
  #windowStart: number;

  constructor(limits: ThrottleLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
    this.#windowStart = now();
  }

  /** The opaque key for a request's source; the address itself is not kept. */
  sourceOf(request: FastifyRequest): string {
    return this.keyOf(addressBlock(request.ip));
  }

  /**
   * The opaque key for any other identifier, such as the account a sign-in is for (the address as
   * typed, so an unknown account is slowed down exactly like a known one and answers reveal nothing).
   */
  keyOf(identifier: string): string {
    if (this.#now() - this.#windowStart >= this.#limits.windowMs) {
      this.#key = randomBytes(32);
      this.#attempts = new Map();
      this.#windowStart = this.#now();
    }
    return createHmac('sha256', this.#key).update(identifier).digest('base64url');
  }

  /** Counts an attempt and says whether it may go ahead, and after how long a pause. */
  begin(source: string): ThrottleDecision {
    const earlier = this.#attempts.get(source) ?? 0;
    if (earlier >= this.#limits.maxAttempts) return { allowed: false };
    this.#count(source, earlier + 1);
    const { slowAfter, baseDelayMs, maxDelayMs } = this.#limits;
    const delayMs = earlier < slowAfter ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** (earlier - slowAfter));
    return { allowed: true, delayMs };
  }

  /** Takes back an attempt that turned out not to count (a successful login). */
  refund(source: string): void {
    const attempts = this.#attempts.get(source) ?? 0;
    if (attempts > 1) this.#attempts.set(source, attempts - 1);
    else this.#attempts.delete(source);
  }

  /** Forgets every attempt of a key (a run of failures that ended in success). */
  forget(key: string): void {
    this.#attempts.delete(key);
  }

  #count(source: string, attempts: number): void {
    // Bounded memory under a flood from many addresses: the oldest counters give way first.
    if (this.#attempts.size >= MAX_TRACKED_SOURCES && !this.#attempts.has(source)) {
      const oldest = this.#attempts.keys().next().value;
      if (oldest !== undefined) this.#attempts.delete(oldest);
    }
    this.#attempts.set(source, attempts);
  }
}

/**
 * A per-source throttle that several instances can share. Without `REDIS_URL` it is a
 * `SourceThrottle` in this process; with it, the counters live in Redis under the keyed hash (never
 * the address), each expiring with its window, so a limit holds however many instances serve the site.
 */
export interface SharedThrottle {
  /** Counts an attempt from the request's source and says whether it may go ahead. */
  begin(request: FastifyRequest): Promise<{ source: string; decision: ThrottleDecision }>;
  /** Takes back an attempt that turned out not to count. */
  refund(source: string): Promise<void>;
}

export function createSharedThrottle(
  app: FastifyInstance,
  name: string,
  limits: ThrottleLimits,
): SharedThrottle {
  const local = new SourceThrottle(limits);
  const redis = redisFor(app);
  if (!redis) return new MemoryThrottle(local);
  const secret = Buffer.from(
    hkdfSync('sha256', app.deps.config.secrets.secretKey, Buffer.alloc(0), 'baken throttle window', 32),
  );
  return new RedisThrottle(redis, name, limits, local, Date.now, secret);
}

class MemoryThrottle implements SharedThrottle {
  readonly #throttle: SourceThrottle;
  constructor(throttle: SourceThrottle) {
    this.#throttle = throttle;
  }
  begin(request: FastifyRequest) {
    const source = this.#throttle.sourceOf(request);
    return Promise.resolve({ source, decision: this.#throttle.begin(source) });
  }
  refund(source: string) {
    this.#throttle.refund(source);
    return Promise.resolve();
  }
}

/** INCR that starts the counter's expiry on the first attempt, in one round trip and atomically. */
const HIT_SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;
const REFUND_SCRIPT = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n`;

/**
 * Counters in Redis. The hashing key is made from a random value shared through Redis for one fixed
 * window and gone with it (so nobody holding the root secret can derive it later), and from a
 * secret that never goes to Redis: IPv4 has only 2^32 addresses, so a key kept beside the counters
 * would let anyone with a copy of Redis (a snapshot on disk, a replica) hash them all and read off
 * who sent what. A counter is named by the keyed hash of the source and expires when its window
 * would. If Redis fails, counting goes on in this process rather than letting everything through or
 * nothing.
 */
export class RedisThrottle implements SharedThrottle {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limits: ThrottleLimits;
  readonly #local: SourceThrottle;
  readonly #now: () => number;
  readonly #secret: Buffer;
  #window = { index: -1, key: Buffer.alloc(0) };

  /** `secret`: the same in every instance, never stored in Redis (see above). */
  constructor(
    redis: Redis,
    name: string,
    limits: ThrottleLimits,
    local: SourceThrottle = new SourceThrottle(limits),
    now: () => number = Date.now,
    secret: Buffer = Buffer.alloc(32),
  ) {
    this.#redis = redis;
    this.#prefix = `baken:throttle:${name}:`;
    this.#limits = limits;
    this.#local = local;
    this.#now = now;
    this.#secret = secret;
  }

  async begin(request: FastifyRequest): Promise<{ source: string; decision: ThrottleDecision }> {
    try {
      const key = await this.#windowKey();
      const source = createHmac('sha256', key).update(addressBlock(request.ip)).digest('base64url');
      const count = Number(
        await this.#redis.eval(HIT_SCRIPT, 1, this.#prefix + source, String(this.#limits.windowMs)),
      );
      const earlier = count - 1;
      if (earlier >= this.#limits.maxAttempts) return { source, decision: { allowed: false } };
      const { slowAfter, baseDelayMs, maxDelayMs } = this.#limits;
      const delayMs =
        earlier < slowAfter ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** (earlier - slowAfter));
      return { source, decision: { allowed: true, delayMs } };
    } catch {
      request.log.warn('shared throttle unavailable; counting in this process');
      const source = this.#local.sourceOf(request);
      return { source: `local:${source}`, decision: this.#local.begin(source) };
    }
  }

  async refund(source: string): Promise<void> {
    if (source.startsWith('local:')) return this.#local.refund(source.slice('local:'.length));
    try {
      await this.#redis.eval(REFUND_SCRIPT, 1, this.#prefix + source);
    } catch {
      // A lost refund only makes the limit a little stricter for this source, for this window.
    }
  }

  async #windowKey(): Promise<Buffer> {
    const { windowMs } = this.#limits;
    const now = this.#now();
    const index = Math.floor(now / windowMs);
    if (this.#window.index === index) return this.#window.key;
    const name = `${this.#prefix}key:${index}`;
    const untilWindowEnds = (index + 1) * windowMs - now + 1000;
    await this.#redis.set(name, randomBytes(32).toString('base64'), 'PX', untilWindowEnds, 'NX');
    const shared = await this.#redis.get(name);
    if (!shared) throw new Error('throttle key missing');
    this.#window = { index, key: createHmac('sha256', this.#secret).update(shared).digest() };
    return this.#window.key;
  }
}

const redisByApp = new WeakMap<FastifyInstance, Redis>();

/** One connection per app, closed with it; none without `REDIS_URL`. */
function redisFor(app: FastifyInstance): Redis | undefined {
  const url = app.deps.config.redisUrl;
  if (!url) return undefined;
  let redis = redisByApp.get(app);
  if (!redis) {
    const client = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    // Failures surface in the commands (and fall back to local counting); this only stops the
    // client from reporting every reconnect attempt as an unhandled error.
    client.on('error', () => undefined);
    app.addHook('onClose', async () => {
      await client.quit().catch(() => client.disconnect());
    });
    redisByApp.set(app, client);
    redis = client;
  }
  return redis;
}

/** IPv6 clients usually control a whole /64, so that block is one source; IPv4 is one address. */
export function addressBlock(ip: string): string {
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups.slice(0, 4).join(':')}::/64`;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
