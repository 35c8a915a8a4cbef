import argon2 from 'argon2';

/**
 * argon2id with OWASP's baseline parameters (19 MiB, 2 passes). The native binding hashes on libuv's
 * thread pool, so hashing never blocks the event loop.
 */
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(secret: string): Promise<string> {
  return argon2.hash(secret, options);
}

export async function verifySecret(hash: string, secret: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, secret);
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
