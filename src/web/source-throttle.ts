import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
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
