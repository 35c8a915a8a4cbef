import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Config } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { StaffRole } from '../../db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/audit-service.ts';
import { isPasskeyRequired } from './role-settings-service.ts';

/**
 * Passkeys (WebAuthn) for staff, with @simplewebauthn/server. A passkey must verify the user (PIN or
 * biometrics), so it counts as both factors. Between the options and the answer the challenge waits
 * in `webauthn_challenge` under the hash of a random value that only the browser's short-lived flow
 * cookie carries; it is used once (deleted when read) and expires after five minutes.
 */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const PASSKEY_NAME_MAX = 100;
/** WebAuthn credential ids are at most 1023 bytes, so at most 1364 base64url characters. */
const CREDENTIAL_ID_MAX_CHARS = 1364;

export interface RelyingParty {
  /** The registrable domain passkeys are bound to: PUBLIC_URL's host name. */
  id: string;
  /** PUBLIC_URL's origin; an answer signed for any other origin is refused (phishing). */
  origin: string;
  name: string;
}

export function relyingParty(config: Config): RelyingParty {
  const url = new URL(config.publicUrl);
  return { id: url.hostname, origin: url.origin, name: `Baken ${config.region.name}` };
}

export type ChallengePurpose = 'register' | 'authenticate';

const flowHash = (flow: string) => createHash('sha256').update(flow).digest('hex');

/** Stores a challenge for one flow; returns the value for the flow cookie. */
async function storeChallenge(
  db: Database,
  purpose: ChallengePurpose,
  userId: string | null,
  challenge: string,
  now = Date.now(),
): Promise<string> {
  const flow = randomBytes(32).toString('base64url');
  // Challenges nobody answered are of no use to anyone; removing them here keeps the table small.
  await removeExpiredChallenges(db, now);
  await db
    .insertInto('webauthn_challenge')
    .values({
      flow_hash: flowHash(flow),
      purpose,
      user_id: userId,
      challenge,
      expires_at: new Date(now + CHALLENGE_TTL_MS),
    })
    .execute();
  return flow;
}

/** Removes challenges past their five minutes (also a housekeeping task). */
export async function removeExpiredChallenges(db: Database, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('webauthn_challenge')
    .where('expires_at', '<=', new Date(now))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Takes (and so uses up) the challenge of a flow; undefined when unknown, used or expired. */
async function takeChallenge(
  db: Database,
  flow: string | undefined,
  purpose: ChallengePurpose,
  now = Date.now(),
): Promise<{ challenge: string; userId: string | null } | undefined> {
  if (!flow || flow.length > 100) return undefined;
  const row = await db
    .deleteFrom('webauthn_challenge')
    .where('flow_hash', '=', flowHash(flow))
    .returning(['purpose', 'user_id', 'challenge', 'expires_at'])
    .executeTakeFirst();
  if (!row || row.purpose !== purpose || new Date(row.expires_at).getTime() <= now) return undefined;
  return { challenge: row.challenge, userId: row.user_id };
}

/** Only the shape needed to find the credential; @simplewebauthn/server checks the rest. */
function credentialIdOf(response: unknown): string | undefined {
  if (!response || typeof response !== 'object') return undefined;
  const { id, response: inner } = response as { id?: unknown; response?: unknown };
  if (typeof id !== 'string' || id.length === 0 || id.length > CREDENTIAL_ID_MAX_CHARS) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(id) || !inner || typeof inner !== 'object') return undefined;
  return id;
}

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function listPasskeys(db: Database, userId: string): Promise<PasskeySummary[]> {
  const rows = await db
    .selectFrom('staff_passkey')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
  }));
}

export async function hasPasskey(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('staff_passkey')
    .select('id')
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// --- registration -------------------------------------------------------------------------------

export interface StartedFlow<Options> {
  options: Options;
  /** For the flow cookie. */
  flow: string;
}

/**
 * Options to create a passkey for `user`: discoverable (so it signs in without an e-mail address),
 * user-verifying, no attestation (we trust the person, not the make of the device), and not again
 * on an authenticator that already holds one of the user's passkeys.
 */
export async function startRegistration(
  db: Database,
  rp: RelyingParty,
  user: { id: string; email: string; displayName: string },
): Promise<StartedFlow<PublicKeyCredentialCreationOptionsJSON>> {
  const existing = await db
    .selectFrom('staff_passkey')
    .select(['credential_id', 'transports'])
    .where('user_id', '=', user.id)
    .execute();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({
      id: c.credential_id,
      transports: c.transports as AuthenticatorTransportFuture[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  const flow = await storeChallenge(db, 'register', user.id, options.challenge);
  return { options, flow };
}

export type RegistrationOutcome = { status: 'added'; passkeyId: string } | { status: 'failed' };

/**
 * Verifies the browser's answer to `startRegistration` for the same user and stores the passkey, with
 * its audit row in the same transaction.
 */
export async function finishRegistration(
  db: Database,
  rp: RelyingParty,
  input: {
    flow: string | undefined;
    user: AuditActor & { userId: string };
    name: string;
    response: unknown;
    requestId: string;
    now?: number;
  },
): Promise<RegistrationOutcome> {
  const taken = await takeChallenge(db, input.flow, 'register', input.now);
  if (!taken || taken.userId !== input.user.userId || !credentialIdOf(input.response)) {
    return { status: 'failed' };
  }
  const verification = await verifyRegistrationResponse({
    response: input.response as RegistrationResponseJSON,
    expectedChallenge: taken.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: true,
  }).catch(() => undefined);
  if (!verification?.verified) return { status: 'failed' };
  const info = verification.registrationInfo;
  const passkeyId = randomUUID();
  const added = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('staff_passkey')
      .values({
        id: passkeyId,
        user_id: input.user.userId,
        credential_id: info.credential.id,
        public_key: Buffer.from(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports ?? [],
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp,
        name: input.name,
      })
      // The same authenticator registered twice (excludeCredentials normally prevents it).
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
    await recordAudit(trx, {
      action: 'staff.passkey_added',
      actor: input.user,
      entity: { type: 'staff_passkey', id: passkeyId },
      requestId: input.requestId,
    });
    return true;
  });
  return added ? { status: 'added', passkeyId } : { status: 'failed' };
}

// --- authentication -----------------------------------------------------------------------------

/** Options to sign in with any of this site's passkeys; the authenticator offers its own (usernameless). */
export async function startAuthentication(
  db: Database,
  rp: RelyingParty,
): Promise<StartedFlow<PublicKeyCredentialRequestOptionsJSON>> {
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required' });
  const flow = await storeChallenge(db, 'authenticate', null, options.challenge);
  return { options, flow };
}

/**
 * `ok`: the passkey proved who this is. `failed` names the account when the passkey belongs to one
 * (so the failure counts towards its lock-out), and `locked` says the account was already locked or
 * is disabled (nothing more to count).
 */
export type AuthenticationOutcome =
  | { status: 'ok'; userId: string; role: StaffRole; passkeyId: string }
  | { status: 'failed'; userId?: string; role?: StaffRole; locked?: boolean };

/**
 * Verifies a passkey answer: the flow's challenge (once, not expired), origin and RP ID, the signature
 * with the stored public key, user verification, and the signature counter, which must go up when the
 * authenticator keeps one (a clone would repeat or go back). The new counter is stored only if no
 * other request stored one first, so two uses of the same answer cannot both succeed.
 */
export async function finishAuthentication(
  db: Database,
  rp: RelyingParty,
  input: { flow: string | undefined; response: unknown; now?: number },
): Promise<AuthenticationOutcome> {
  const taken = await takeChallenge(db, input.flow, 'authenticate', input.now);
  const credentialId = credentialIdOf(input.response);
  if (!credentialId) return { status: 'failed' };
  const passkey = await db
    .selectFrom('staff_passkey')
    .innerJoin('staff_user', 'staff_user.id', 'staff_passkey.user_id')
    .select([
      'staff_passkey.id',
      'staff_passkey.user_id',
      'staff_passkey.public_key',
      'staff_passkey.counter',
      'staff_passkey.transports',
      'staff_user.role',
      'staff_user.locked_at',
      'staff_user.disabled_at',
    ])
    .where('staff_passkey.credential_id', '=', credentialId)
    .executeTakeFirst();
  if (!passkey) return { status: 'failed' };
  const account = { userId: passkey.user_id, role: passkey.role };
  if (passkey.locked_at !== null || passkey.disabled_at !== null) {
    return { status: 'failed', ...account, locked: true };
  }
  if (!taken) return { status: 'failed', ...account };
  const verification = await verifyAuthenticationResponse({
    response: input.response as AuthenticationResponseJSON,
    expectedChallenge: taken.challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    credential: {
      id: credentialId,
      publicKey: new Uint8Array(passkey.public_key),
      counter: passkey.counter,
      transports: passkey.transports as AuthenticatorTransportFuture[],
    },
    requireUserVerification: true,
  }).catch(() => undefined);
  if (!verification?.verified) return { status: 'failed', ...account };
  const { newCounter } = verification.authenticationInfo;
  const stored = await db
    .updateTable('staff_passkey')
    .set({ counter: newCounter, last_used_at: new Date() })
    .where('id', '=', passkey.id)
    .where('counter', '=', passkey.counter)
    .executeTakeFirst();
  if (stored.numUpdatedRows !== 1n) return { status: 'failed', ...account };
  return { status: 'ok', ...account, passkeyId: passkey.id };
}

// --- removal ------------------------------------------------------------------------------------

export type RemovalOutcome = 'removed' | 'not_found' | 'last_required';

/**
 * Removes one of the user's own passkeys. The last one stays while the user's role requires a
 * passkey: without it the user could not sign in at all.
 */
export async function removePasskey(
  db: Database,
  input: { user: AuditActor & { userId: string; role: StaffRole }; passkeyId: string; requestId: string },
): Promise<RemovalOutcome> {
  const required = await isPasskeyRequired(db, input.user.role);
  return db.transaction().execute(async (trx) => {
    const own = await trx
      .selectFrom('staff_passkey')
      .select('id')
      .where('user_id', '=', input.user.userId)
      // Two removals at once must not both think another passkey remains.
      .forUpdate()
      .execute();
    if (!own.some((p) => p.id === input.passkeyId)) return 'not_found';
    if (required && own.length === 1) return 'last_required';
    await trx.deleteFrom('staff_passkey').where('id', '=', input.passkeyId).execute();
    await recordAudit(trx, {
      action: 'staff.passkey_removed',
      actor: input.user,
      entity: { type: 'staff_passkey', id: input.passkeyId },
      requestId: input.requestId,
    });
    return 'removed';
  });
}
