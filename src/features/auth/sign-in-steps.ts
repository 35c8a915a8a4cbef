import type { Database } from '../../db/database.ts';
import { localisedPath } from '../../web/routing.ts';
import type { Locale } from '../../i18n/i18n.ts';
import { hasPasskey } from '../passkeys/passkey-service.ts';
import { isPasskeyRequired } from '../passkeys/role-settings-service.ts';
import type { SessionStage } from './session-service.ts';
import { hasTotp } from './second-factor-service.ts';

/**
 * The one place that decides what a user still has to do to be signed in, given what they proved so
 * far. Every sign-in route asks this instead of deciding for itself.
 *
 * - A passkey (user-verifying) is both factors at once: signed in.
 * - Password alone: the second factor, or enrolling TOTP the first time. When the role requires a
 *   passkey and the user has one, only the passkey will do.
 * - Password and second factor: signed in, unless the role requires a passkey; then the user
 *   registers one first (a session that allows nothing else), or uses the one they have.
 */
export type SignInProof = 'password' | 'password_and_second_factor' | 'passkey';
export type SignInStep = 'enrol_totp' | 'second_factor' | 'use_passkey' | 'enrol_passkey' | 'done';

export interface SignInFacts {
  proof: SignInProof;
  hasTotp: boolean;
  passkeyRequired: boolean;
  hasPasskey: boolean;
}

export function decideNextStep(facts: SignInFacts): SignInStep {
  if (facts.proof === 'passkey') return 'done';
  if (facts.passkeyRequired && facts.hasPasskey) return 'use_passkey';
  if (facts.proof === 'password') return facts.hasTotp ? 'second_factor' : 'enrol_totp';
  return facts.passkeyRequired ? 'enrol_passkey' : 'done';
}

export async function nextSignInStep(db: Database, userId: string, proof: SignInProof): Promise<SignInStep> {
  if (proof === 'passkey') return 'done';
  const { role } = await db
    .selectFrom('staff_user')
    .select('role')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const totp = await hasTotp(db, userId);
  const required = await isPasskeyRequired(db, role);
  const passkey = await hasPasskey(db, userId);
  return decideNextStep({ proof, hasTotp: totp, passkeyRequired: required, hasPasskey: passkey });
}

/** The session a step is taken in: only 'done' is a full session. */
export function stageFor(step: SignInStep): SessionStage {
  if (step === 'done') return 'full';
  return step === 'enrol_passkey' ? 'passkey_enrolment' : 'password';
}

/** Where the browser goes for a step. */
const stepPaths: Record<SignInStep, string> = {
  enrol_totp: '/beheer/tweestaps-instellen',
  second_factor: '/beheer/tweestaps',
  // The second-factor page offers only the passkey when that is what the role requires.
  use_passkey: '/beheer/tweestaps',
  enrol_passkey: '/beheer/passkey-instellen',
  done: '/beheer',
};

export const pathOfStep = (step: SignInStep, locale: Locale) => localisedPath(locale, stepPaths[step]);
