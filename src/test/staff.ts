import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { hashSecret } from '../crypto/passwords.ts';
import type { StaffRole } from '../db/schema.ts';
import { TestClient, inputValue } from './http-client.ts';

/** The password every staff user made by `createStaffUser` gets. */
export const STAFF_PASSWORD = 'een lange zin als wachtwoord';

/** The current TOTP code (or the one at `timestamp`) for a base32 secret, as an authenticator app shows it. */
export const totpNow = (base32: string, timestamp = Date.now()) =>
  TOTP.generate({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: 30, timestamp });

/** The login form, then the e-mail address and password posted with its CSRF token. */
export async function logInWithPassword(
  client: TestClient,
  email: string,
  password: string,
): Promise<LightMyRequestResponse> {
  const page = await client.get('/beheer/inloggen');
  assert.equal(page.statusCode, 200);
  return client.postForm('/beheer/inloggen', {
    _csrf: inputValue(page.body, '_csrf'),
    email,
    password,
  });
}

/** The second-factor form, then a TOTP or recovery code posted with its CSRF token. */
export async function submitCode(client: TestClient, code: string): Promise<LightMyRequestResponse> {
  const page = await client.get('/beheer/tweestaps');
  assert.equal(page.statusCode, 200);
  return client.postForm('/beheer/tweestaps', { _csrf: inputValue(page.body, '_csrf'), code });
}

export interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
}

/** A staff user straight in the database, as an administrator would create one; no TOTP yet. */
export async function createStaffUser(
  app: FastifyInstance,
  role: StaffRole,
  options: { email?: string; displayName?: string } = {},
): Promise<StaffUser> {
  const id = randomUUID();
  const user: StaffUser = {
    id,
    email: options.email ?? `${role}-${id.slice(0, 8)}@example.org`,
    displayName: options.displayName ?? `Test ${role}`,
    role,
  };
  await app.deps.db
    .insertInto('staff_user')
    .values({
      id,
      email: user.email,
      display_name: user.displayName,
      role,
      password_hash: await hashSecret(STAFF_PASSWORD),
    })
    .execute();
  return user;
}

export interface SignedInStaff {
  /** A browser stand-in holding the full session cookie. */
  client: TestClient;
  user: StaffUser;
  /** The TOTP secret (base32) the user enrolled. */
  totpSecret: string;
}

/**
 * A new staff user with `role`, signed in the way a person would be: password, TOTP enrolment with a
 * code from the secret the page shows, recovery codes page. The returned client has a full session.
 */
export async function signInAsStaff(
  app: FastifyInstance,
  role: StaffRole,
  options: { email?: string; displayName?: string } = {},
): Promise<SignedInStaff> {
  const user = await createStaffUser(app, role, options);
  const client = new TestClient(app);
  const login = await logInWithPassword(client, user.email, STAFF_PASSWORD);
  assert.equal(login.statusCode, 303);
  assert.equal(login.headers.location, '/beheer/tweestaps-instellen');
  const enrolPage = await client.get('/beheer/tweestaps-instellen');
  assert.equal(enrolPage.statusCode, 200);
  const grouped = /data-totp-secret>([A-Z2-7 ]+)</.exec(enrolPage.body)?.[1];
  assert.ok(grouped, 'the enrolment page shows the TOTP secret');
  const totpSecret = grouped.replace(/ /g, '');
  const enrolled = await client.postForm('/beheer/tweestaps-instellen', {
    _csrf: inputValue(enrolPage.body, '_csrf'),
    code: totpNow(totpSecret),
  });
  assert.equal(enrolled.statusCode, 200, 'TOTP enrolment accepted');
  const home = await client.get('/beheer');
  assert.equal(home.statusCode, 200, 'signed in');
  return { client, user, totpSecret };
}
