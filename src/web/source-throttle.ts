import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ThrottleLimits } from '../config/config.ts';

/**
 * Per-source limits without storing who the source is. A client address is reduced to a keyed hash
 * whose key lives only in memory and is replaced every window; a new key makes every old counter
 * unreachable, so nothing can later link a counter to an address, and nothing reaches the database
 * or the logs.
 */
export type ThrottleOptions = ThrottleLimits;

const MAX_TRACKED_SOURCES = 100_000;

export type ThrottleDecision = { allowed: true; delayMs: number } | { allowed: false };

export class SourceThrottle {
  readonly #options: ThrottleOptions;
  readonly #now: () => number;
  #key = randomBytes(32);
  #failures = new Map<string, number>();
  #windowStart: number;

  constructor(options: ThrottleOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
    this.#windowStart = now();
  }

  /** The opaque key for a request's source; the address itself is not kept. */
  sourceOf(request: FastifyRequest): string {
    if (this.#now() - this.#windowStart >= this.#options.windowMs) {
      this.#key = randomBytes(32);
      this.#failures = new Map();
      this.#windowStart = this.#now();
    }
    return createHmac('sha256', this.#key).update(request.ip).digest('base64url');
  }

  check(source: string): ThrottleDecision {
    const failures = this.#failures.get(source) ?? 0;
    if (failures >= this.#options.maxFailures) return { allowed: false };
    const { slowAfter, baseDelayMs, maxDelayMs } = this.#options;
    const delayMs =
      failures < slowAfter ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - slowAfter));
    return { allowed: true, delayMs };
  }

  recordFailure(source: string): void {
    // Bounded memory under a flood from many addresses: the oldest counters give way first.
    if (this.#failures.size >= MAX_TRACKED_SOURCES && !this.#failures.has(source)) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.set(source, (this.#failures.get(source) ?? 0) + 1);
  }

  recordSuccess(source: string): void {
    this.#failures.delete(source);
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
