import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/pbkdf2';
import { deriveKey, keyedHash } from '../../crypto/keys.ts';

/**
 * A light proof of work on the public report form (ALTCHA v2, PBKDF2/SHA-256 in deterministic
 * mode): the server picks a counter, signs the key it derives, and the form's script must find that
 * counter by trying 0, 1, 2 … (public/js/intake-pow.js, Web Crypto, nothing from another origin).
 * The work is the same for everyone and costs the server one key derivation per form and one HMAC
 * per check, so it scales for us and not for a flood.
 *
 * The challenge is bound to the form's submission key: a solution works for one report only, since a
 * second use of that key returns the first report instead of storing another (the unique submission
 * key hash, inside the report's own transaction, so every instance agrees).
 */
export const CHALLENGE_FIELD = 'pow_challenge';
export const SOLUTION_FIELD = 'pow_solution';

export const POW_ALGORITHM = 'PBKDF2/SHA-256';
/**
 * Iterations per attempt and the range of the counter to find: on average 1,000 attempts of 250
 * iterations. Headless Chromium on a busy two-core server needed 0.5–1.2 s for 1,500 attempts of
 * 500; this is a quarter of that, so roughly 0.2–1 s on a phone. The server does one attempt per form.
 */
export const POW_COST = 250;
export const POW_COUNTER_MIN = 500;
export const POW_COUNTER_MAX = 1_500;
export const CHALLENGE_TTL_MS = 30 * 60 * 1000;

/** A long-enough secret string for altcha-lib's HMACs, derived per use from our own sub-key. */
function secretFor(rootKey: Buffer, use: 'challenge' | 'derived-key'): string {
  return keyedHash(deriveKey(rootKey, 'intake-challenge'), use);
}

/** A signed challenge for one form, encoded for a hidden field. */
export async function issueChallenge(
  rootKey: Buffer,
  submissionKeyId: string,
  issuedAt: number = Date.now(),
): Promise<string> {
  const challenge = await createChallenge({
    algorithm: POW_ALGORITHM,
    cost: POW_COST,
    counter: randomInt(POW_COUNTER_MAX, POW_COUNTER_MIN),
    deriveKey: pbkdf2,
    data: { key: submissionKeyId },
    expiresAt: new Date(issuedAt + CHALLENGE_TTL_MS),
    hmacSignatureSecret: secretFor(rootKey, 'challenge'),
    hmacKeySignatureSecret: secretFor(rootKey, 'derived-key'),
  });
  return Buffer.from(JSON.stringify(challenge)).toString('base64url');
}

/**
 * What a submission's proof of work amounts to: `absent` (no solution; the no-JavaScript path),
 * `solved`, `expired`, or `invalid` (anything malformed, tampered with, wrong, or for another form).
 * Never throws, whatever the client sent.
 */
export type ProofOfWork = 'absent' | 'solved' | 'expired' | 'invalid';

export async function checkProofOfWork(
  rootKey: Buffer,
  submissionKeyId: string,
  challengeField: unknown,
  solutionField: unknown,
): Promise<ProofOfWork> {
  if (solutionField === undefined || solutionField === '') return 'absent';
  const solution = parseSolution(solutionField);
  const challenge = parseChallenge(challengeField);
  if (!solution || !challenge) return 'invalid';
  try {
    const result = await verifySolution({
      challenge,
      solution,
      deriveKey: pbkdf2,
      hmacSignatureSecret: secretFor(rootKey, 'challenge'),
      hmacKeySignatureSecret: secretFor(rootKey, 'derived-key'),
    });
    if (result.expired) return 'expired';
    if (!result.verified) return 'invalid';
  } catch {
    return 'invalid';
  }
  // The signature covers the data, so this is the key the challenge was issued for.
  return challenge.parameters.data?.key === submissionKeyId ? 'solved' : 'invalid';
}

function parseSolution(value: unknown): { counter: number; derivedKey: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,10}):([0-9a-f]{2,128})$/.exec(value);
  if (!match) return undefined;
  return { counter: Number(match[1]), derivedKey: match[2] ?? '' };
}

function parseChallenge(value: unknown): Challenge | undefined {
  if (typeof value !== 'string' || value.length > 4000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { parameters, signature } = parsed as { parameters?: unknown; signature?: unknown };
  if (typeof signature !== 'string' || typeof parameters !== 'object' || parameters === null)
    return undefined;
  const p = parameters as Record<string, unknown>;
  const strings = ['algorithm', 'nonce', 'salt', 'keyPrefix', 'keySignature'];
  if (strings.some((name) => typeof p[name] !== 'string')) return undefined;
  if (p.algorithm !== POW_ALGORITHM || !Number.isInteger(p.cost) || !Number.isInteger(p.keyLength))
    return undefined;
  if (p.data !== undefined && (typeof p.data !== 'object' || p.data === null)) return undefined;
  return { parameters: p as unknown as Challenge['parameters'], signature };
}
