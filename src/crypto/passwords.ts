import { availableParallelism } from 'node:os';
import argon2 from 'argon2';

/**
 * argon2id with OWASP's baseline parameters (19 MiB, 2 passes). The native binding hashes on libuv's
 * thread pool, so hashing never blocks the event loop; at most one core less than the machine has
 * hashes at once, so a flood of submissions or logins leaves a core for serving pages.
 */
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const maxConcurrent = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` when a slot is free; a finishing job hands its slot straight to the next in line. */
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running < maxConcurrent) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashSecret(secret: string): Promise<string> {
  return limited(() => argon2.hash(secret, options));
}

export async function verifySecret(hash: string, secret: string): Promise<boolean> {
  try {
    return await limited(() => argon2.verify(hash, secret));
  } catch {
    return false;
  }
}

/** A hash of a random value, verified against when no record matched, so both paths cost the same. */
let decoyHash: Promise<string> | undefined;
export function decoyVerifierHash(): Promise<string> {
  decoyHash ??= hashSecret(`decoy-${String(Math.random())}`);
  return decoyHash;
}
