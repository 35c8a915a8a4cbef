import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { ConcurrencyLimit } from '../web/concurrency.ts';

/**
 * argon2id with OWASP's baseline parameters (19 MiB, 2 passes). The native binding hashes on libuv's
 * thread pool, so hashing never blocks the event loop. At most one core less than the machine has
 * hashes at once, so a flood leaves a core for serving pages; storing a new report or account goes
 * before checking a login, and a flood of logins is refused (503) rather than queued without end.
 */
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const hashing = new ConcurrencyLimit(Math.max(1, availableParallelism() - 1), 64);

export function hashSecret(secret: string): Promise<string> {
  return hashing.run(() => argon2.hash(secret, options), 'urgent');
}

/** False for a wrong secret or a malformed hash; throws only when too busy to check. */
export function verifySecret(hash: string, secret: string): Promise<boolean> {
  return hashing.run(() => argon2.verify(hash, secret).catch(() => false));
}

/** A hash of a random value, verified against when no record matched, so both paths cost the same. */
let decoyHash: Promise<string> | undefined;
export function decoyVerifierHash(): Promise<string> {
  decoyHash ??= hashSecret(`decoy-${String(Math.random())}`);
  return decoyHash;
}
