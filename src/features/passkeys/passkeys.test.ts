import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import {
  STAFF_PASSWORD,
  createStaffUser,
  logInWithPassword,
  signInAsStaff,
  submitCode,
  totpNow,
  type SignedInStaff,
} from '../../test/staff.ts';
import { SoftwareAuthenticator, type AnswerTweaks } from '../../test/webauthn.ts';
import { MAX_FAILED_LOGINS } from '../auth/login-service.ts';
import { decideNextStep, stageFor, type SignInFacts } from '../auth/sign-in-steps.ts';
import {
  finishAuthentication,
  finishRegistration,
  relyingParty,
  removeExpiredChallenges,
  startAuthentication,
  startRegistration,
  type RelyingParty,
} from './passkey-service.ts';

const authenticatorFor = (rp: RelyingParty, counterStep = 1) =>
  new SoftwareAuthenticator({ rpId: rp.id, origin: rp.origin, counterStep });

async function auditActions(t: TestApp, userId: string): Promise<{ action: string; details: unknown }[]> {
  return t.database.db
    .selectFrom('audit_event')
    .select(['action', 'details'])
    .where('actor_user_id', '=', userId)
    .orderBy('seq')
    .execute();
}

// --- the decision what a user still has to do ----------------------------------------------------

describe('sign-in steps', () => {
  const facts = fc.record<SignInFacts>({
    proof: fc.constantFrom('password', 'password_and_second_factor', 'passkey'),
    hasTotp: fc.boolean(),
    passkeyRequired: fc.boolean(),
    hasPasskey: fc.boolean(),
  });

  it('gives a full session only for a passkey, or both factors where the role allows', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const step = decideNextStep(f);
        const full = stageFor(step) === 'full';
        assert.equal(
          full,
          f.proof === 'passkey' || (f.proof === 'password_and_second_factor' && !f.passkeyRequired),
        );
      }),
    );
  });

  it('never lets a password alone go further than the second factor', () => {
    fc.assert(
      fc.property(
        facts.filter((f) => f.proof === 'password'),
        (f) => {
          const step = decideNextStep(f);
          assert.ok(['second_factor', 'enrol_totp', 'use_passkey'].includes(step), step);
          assert.equal(stageFor(step), 'password');
        },
      ),
    );
  });

  it('sends a user whose role requires a passkey to use theirs, or to register one after TOTP', () => {
    const base = { hasTotp: true, passkeyRequired: true };
    assert.equal(decideNextStep({ ...base, proof: 'password', hasPasskey: true }), 'use_passkey');
    assert.equal(decideNextStep({ ...base, proof: 'password', hasPasskey: false }), 'second_factor');
    assert.equal(
      decideNextStep({ ...base, proof: 'password_and_second_factor', hasPasskey: false }),
      'enrol_passkey',
    );
    assert.equal(stageFor('enrol_passkey'), 'passkey_enrolment');
  });
});

// --- the service, with the software authenticator -----------------------------------------------

describe('passkey service', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let userId: string;
  let email: string;

  before(async () => {
    t = await createTestApp();
    rp = relyingParty(t.config);
    const user = await createStaffUser(t.app, 'advisor');
    userId = user.id;
    email = user.email;
  });
  after(() => t.close());

  const actor = () => ({ userId, role: 'advisor' as const });

  /** `lateByMs`: answer as if that long after the options were made. */
  async function register(
    authenticator: SoftwareAuthenticator,
    tweaks: AnswerTweaks = {},
    lateByMs?: number,
  ) {
    const started = await startRegistration(t.app.deps.db, rp, { id: userId, email, displayName: 'A' });
    return finishRegistration(t.app.deps.db, rp, {
      flow: started.flow,
      user: actor(),
      name: 'Laptop',
      response: authenticator.register(started.options, tweaks),
      requestId: 'test',
      ...(lateByMs === undefined ? {} : { now: Date.now() + lateByMs }),
    });
  }

  async function authenticate(
    authenticator: SoftwareAuthenticator,
    tweaks: AnswerTweaks = {},
    lateByMs?: number,
  ) {
    const started = await startAuthentication(t.app.deps.db, rp);
    return finishAuthentication(t.app.deps.db, rp, {
      flow: started.flow,
      response: authenticator.authenticate(started.options, tweaks),
      ...(lateByMs === undefined ? {} : { now: Date.now() + lateByMs }),
    });
  }

  it('asks for a discoverable, user-verifying passkey on our RP ID, without attestation', async () => {
    const { options } = await startRegistration(t.app.deps.db, rp, { id: userId, email, displayName: 'A' });
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.attestation, 'none');
    const selection = options.authenticatorSelection;
    assert.ok(selection);
    assert.equal(selection.residentKey, 'required');
    assert.equal(selection.userVerification, 'required');
    const get = await startAuthentication(t.app.deps.db, rp);
    assert.equal(get.options.userVerification, 'required');
    assert.equal(get.options.allowCredentials, undefined, 'usernameless');
  });

  it('registers a passkey, signs in with it and stores the new counter and the time of use', async () => {
    const authenticator = authenticatorFor(rp);
    const added = await register(authenticator);
    assert.equal(added.status, 'added');
    const signedIn = await authenticate(authenticator);
    assert.equal(signedIn.status, 'ok');
    assert.equal(signedIn.userId, userId);
    const row = await t.app.deps.db
      .selectFrom('staff_passkey')
      .select(['counter', 'last_used_at', 'name'])
      .where('credential_id', '=', authenticator.credentials[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    assert.equal(row.counter, 1);
    assert.notEqual(row.last_used_at, null);
    assert.equal(row.name, 'Laptop');
    assert.deepEqual(
      (await auditActions(t, userId)).map((e) => e.action),
      ['staff.passkey_added'],
    );
  });

  it('refuses a counter that does not go up, when the authenticator keeps one', async () => {
    const authenticator = authenticatorFor(rp);
    await register(authenticator);
    assert.equal((await authenticate(authenticator)).status, 'ok');
    const current = authenticator.credentials[0]?.counter ?? 0;
    assert.equal((await authenticate(authenticator, { counter: current })).status, 'failed');
    assert.equal((await authenticate(authenticator, { counter: current - 1 })).status, 'failed');
    assert.equal((await authenticate(authenticator, { counter: current + 5 })).status, 'ok');
  });

  it('accepts an authenticator that keeps no counter (always 0)', async () => {
    const authenticator = authenticatorFor(rp, 0);
    await register(authenticator);
    assert.equal((await authenticate(authenticator)).status, 'ok');
    assert.equal((await authenticate(authenticator)).status, 'ok');
  });

  it('refuses answers for another origin or RP ID, and without user verification', async () => {
    const authenticator = authenticatorFor(rp);
    assert.equal((await register(authenticator, { origin: 'https://baken.example.net' })).status, 'failed');
    assert.equal((await register(authenticator, { rpId: 'example.net' })).status, 'failed');
    assert.equal((await register(authenticator, { userVerified: false })).status, 'failed');
    await register(authenticator);
    const refused = await authenticate(authenticator, { origin: 'https://baken.example.net' });
    assert.deepEqual(refused, { status: 'failed', userId, role: 'advisor' }, 'names the account');
    assert.equal((await authenticate(authenticator, { rpId: 'example.net' })).status, 'failed');
    assert.equal((await authenticate(authenticator, { userVerified: false })).status, 'failed');
  });

  it('uses a challenge once, and not after five minutes', async () => {
    const authenticator = authenticatorFor(rp);
    await register(authenticator);
    const started = await startAuthentication(t.app.deps.db, rp);
    const answer = authenticator.authenticate(started.options);
    const first = await finishAuthentication(t.app.deps.db, rp, { flow: started.flow, response: answer });
    assert.equal(first.status, 'ok');
    const again = await finishAuthentication(t.app.deps.db, rp, { flow: started.flow, response: answer });
    assert.equal(again.status, 'failed');

    const late = await authenticate(authenticator, {}, 5 * 60 * 1000 + 1);
    assert.equal(late.status, 'failed');
    const lateRegistration = await register(authenticatorFor(rp), {}, 5 * 60 * 1000 + 1);
    assert.equal(lateRegistration.status, 'failed');
  });

  it("registers only for the user the options were made for, and refuses another flow's purpose", async () => {
    const other = await createStaffUser(t.app, 'coordinator');
    const started = await startRegistration(t.app.deps.db, rp, { id: other.id, email, displayName: 'B' });
    const outcome = await finishRegistration(t.app.deps.db, rp, {
      flow: started.flow,
      user: actor(),
      name: 'Not mine',
      response: authenticatorFor(rp).register(started.options),
      requestId: 'test',
    });
    assert.equal(outcome.status, 'failed');
    const signIn = await startAuthentication(t.app.deps.db, rp);
    const wrongPurpose = await finishRegistration(t.app.deps.db, rp, {
      flow: signIn.flow,
      user: actor(),
      name: 'Wrong flow',
      response: authenticatorFor(rp).register(started.options),
      requestId: 'test',
    });
    assert.equal(wrongPurpose.status, 'failed');
  });

  it('removes challenges nobody answered once they expire', async () => {
    const started = await startAuthentication(t.app.deps.db, rp);
    const expiry = Date.now() + 5 * 60 * 1000 + 1;
    assert.ok((await removeExpiredChallenges(t.app.deps.db, expiry)) >= 1);
    const outcome = await finishAuthentication(t.app.deps.db, rp, {
      flow: started.flow,
      response: authenticatorFor(rp).register(
        (await startRegistration(t.app.deps.db, rp, { id: userId, email, displayName: 'A' })).options,
      ),
    });
    assert.equal(outcome.status, 'failed');
    const left = await t.app.deps.db.selectFrom('webauthn_challenge').select('flow_hash').execute();
    assert.equal(left.length, 1, 'only the registration challenge made after the clean-up');
  });

  it('refuses malformed answers without throwing', async () => {
    for (const response of [undefined, null, 'x', {}, { id: 'a b', response: {} }, { id: 'abc' }]) {
      const started = await startAuthentication(t.app.deps.db, rp);
      const outcome = await finishAuthentication(t.app.deps.db, rp, { flow: started.flow, response });
      assert.equal(outcome.status, 'failed');
    }
  });
});

// --- over HTTP, as a browser with public/js/passkeys.js would -----------------------------------

interface JsonAnswer {
  options?: PublicKeyCredentialCreationOptionsJSON & PublicKeyCredentialRequestOptionsJSON;
  redirect?: string;
  error?: string;
  field?: string;
}
const json = (body: string) => JSON.parse(body) as JsonAnswer;
const flowCookieOf = (client: TestClient) => client.cookies.get('baken_webauthn');
/** The token a page's passkey widget carries for its JSON calls. */
const widgetCsrf = (html: string) => /data-passkey-csrf="([^"]+)"/.exec(html)?.[1] ?? '';

async function addPasskey(
  client: TestClient,
  authenticator: SoftwareAuthenticator,
  base = '/beheer/account/passkeys',
  pagePath = base,
) {
  const page = await client.get(pagePath);
  assert.equal(page.statusCode, 200);
  const csrf = inputValue(page.body, '_csrf');
  const options = await client.postJson(`${base}/opties`, { _csrf: csrf, name: 'Werklaptop' });
  assert.equal(options.statusCode, 200, options.body);
  const created = authenticator.register(
    json(options.body).options as PublicKeyCredentialCreationOptionsJSON,
  );
  return client.postJson(base, { _csrf: csrf, name: 'Werklaptop', response: created });
}

/** The login page's "Sign in with a passkey" button, start to finish. */
async function signInWithPasskey(
  client: TestClient,
  authenticator: SoftwareAuthenticator,
  tweaks: AnswerTweaks = {},
  pagePath = '/beheer/inloggen',
) {
  const page = await client.get(pagePath);
  assert.equal(page.statusCode, 200);
  const csrf = widgetCsrf(page.body);
  const options = await client.postJson('/beheer/inloggen/passkey/opties', { _csrf: csrf });
  assert.equal(options.statusCode, 200, options.body);
  const answer = authenticator.authenticate(
    json(options.body).options as PublicKeyCredentialRequestOptionsJSON,
    tweaks,
  );
  const verified = await client.postJson('/beheer/inloggen/passkey', { _csrf: csrf, response: answer });
  return { verified, answer, csrf, flow: options.cookies.find((c) => c.name === 'baken_webauthn')?.value };
}

/** Each browser from its own address, so the per-source sign-in throttle never slows a test down. */
let addresses = 0;
function freshClient(app: TestApp['app']): TestClient {
  const client = new TestClient(app);
  client.remoteAddress = `198.51.100.${++addresses}`;
  return client;
}

async function signOut(client: TestClient) {
  const home = await client.get('/beheer');
  await client.postForm('/beheer/uitloggen', { _csrf: inputValue(home.body, '_csrf') });
}

describe('passkeys over HTTP', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let advisor: SignedInStaff;
  let authenticator: SoftwareAuthenticator;

  before(async () => {
    t = await createTestApp();
    rp = relyingParty(t.config);
    advisor = await signInAsStaff(t.app, 'advisor');
    authenticator = authenticatorFor(rp);
  });
  after(() => t.close());

  it('shows the passkey buttons only to browsers with JavaScript (hidden in the HTML)', async () => {
    const login = await freshClient(t.app).get('/beheer/inloggen');
    assert.match(login.body, /<section[^>]*data-passkey="authenticate"[^>]*hidden/);
    const page = await advisor.client.get('/beheer/account/passkeys');
    assert.match(page.body, /<form[^>]*data-passkey="register"[^>]*hidden/);
    assert.match(page.body, /data-passkey-unsupported/);
    assert.match(page.body, /data-passkeys-empty/);
  });

  it('links the passkeys page from the home page', async () => {
    const home = await advisor.client.get('/beheer');
    assert.match(home.body, /href="\/beheer\/account\/passkeys"/);
    assert.doesNotMatch(home.body, /data-role-settings-link/, 'only administrators see the role rules');
  });

  it('refuses the JSON calls without a valid CSRF token, and a passkey without a name', async () => {
    const noToken = await advisor.client.postJson('/beheer/account/passkeys/opties', { name: 'x' });
    assert.equal(noToken.statusCode, 403);
    const page = await advisor.client.get('/beheer/account/passkeys');
    const noName = await advisor.client.postJson('/beheer/account/passkeys/opties', {
      _csrf: inputValue(page.body, '_csrf'),
      name: '   ',
    });
    assert.equal(noName.statusCode, 400);
    assert.equal(json(noName.body).field, 'name');
    const signIn = await freshClient(t.app).postJson('/beheer/inloggen/passkey/opties', {});
    assert.equal(signIn.statusCode, 403);
  });

  it('registers a passkey for the signed-in user, lists it and audits it', async () => {
    const added = await addPasskey(advisor.client, authenticator);
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(json(added.body).redirect, '/beheer/account/passkeys?toegevoegd');
    const page = await advisor.client.get('/beheer/account/passkeys?toegevoegd');
    assert.match(page.body, /data-passkey-row/);
    assert.match(page.body, /Werklaptop/);
    assert.match(page.body, /De passkey is toegevoegd/);
    const actions = (await auditActions(t, advisor.user.id)).map((e) => e.action);
    assert.ok(actions.includes('staff.passkey_added'));
  });

  it('signs in with the passkey alone: a full session with a new id, audited', async () => {
    await signOut(advisor.client);
    const client = freshClient(t.app);
    const { verified } = await signInWithPasskey(client, authenticator);
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(json(verified.body).redirect, '/beheer');
    assert.equal(flowCookieOf(client), undefined, 'the flow cookie is cleared');
    const home = await client.get('/beheer');
    assert.equal(home.statusCode, 200);
    const success = (await auditActions(t, advisor.user.id)).filter((e) => e.action === 'login.success');
    assert.deepEqual(success.at(-1)?.details, { method: 'passkey' });
    const sessions = await t.database.db
      .selectFrom('staff_session')
      .select('stage')
      .where('user_id', '=', advisor.user.id)
      .execute();
    assert.deepEqual(
      sessions.map((s) => s.stage),
      ['full'],
    );
  });

  it('refuses a repeated counter, another origin, a reused and an expired challenge', async () => {
    const client = freshClient(t.app);
    const current = authenticator.credentials[0]?.counter ?? 0;
    const replayed = await signInWithPasskey(client, authenticator, { counter: current });
    assert.equal(replayed.verified.statusCode, 400);
    assert.match(json(replayed.verified.body).error ?? '', /niet gelukt/);

    const phished = await signInWithPasskey(client, authenticator, { origin: 'https://baken-login.example' });
    assert.equal(phished.verified.statusCode, 400);

    const good = await signInWithPasskey(client, authenticator);
    assert.equal(good.verified.statusCode, 200);
    // The same answer again, with the old flow cookie put back: the challenge is gone.
    const reuser = freshClient(t.app);
    for (const [name, value] of client.cookies) if (name !== 'baken_staff') reuser.cookies.set(name, value);
    reuser.cookies.set('baken_webauthn', good.flow ?? '');
    const reused = await reuser.postJson('/beheer/inloggen/passkey', {
      _csrf: good.csrf,
      response: good.answer,
    });
    assert.equal(reused.statusCode, 400);
    assert.equal(reuser.cookies.get('baken_staff'), undefined);

    const late = freshClient(t.app);
    const page = await late.get('/beheer/inloggen');
    const csrf = widgetCsrf(page.body);
    const options = await late.postJson('/beheer/inloggen/passkey/opties', { _csrf: csrf });
    await t.database.db
      .updateTable('webauthn_challenge')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const answer = authenticator.authenticate(
      json(options.body).options as PublicKeyCredentialRequestOptionsJSON,
    );
    const expired = await late.postJson('/beheer/inloggen/passkey', { _csrf: csrf, response: answer });
    assert.equal(expired.statusCode, 400);
    assert.equal(late.cookies.get('baken_staff'), undefined);

    const failures = await t.database.db
      .selectFrom('staff_user')
      .select('failed_login_count')
      .where('id', '=', advisor.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(failures.failed_login_count, 2, 'each failure after the last success counts');
  });

  it('counts failed passkey answers toward the lock-out, and a locked account cannot use its passkey', async () => {
    const user = await signInAsStaff(t.app, 'coordinator');
    const own = authenticatorFor(rp);
    assert.equal((await addPasskey(user.client, own)).statusCode, 200);
    const client = freshClient(t.app);
    for (let attempt = 0; attempt < MAX_FAILED_LOGINS; attempt++) {
      client.remoteAddress = `192.0.2.${attempt}`;
      const { verified } = await signInWithPasskey(client, own, { origin: 'https://elsewhere.example' });
      assert.equal(verified.statusCode, 400);
    }
    const row = await t.database.db
      .selectFrom('staff_user')
      .select('locked_at')
      .where('id', '=', user.user.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.locked_at, null, 'locked after the tenth failure');
    const locked = await signInWithPasskey(client, own);
    assert.equal(locked.verified.statusCode, 400, 'a correct passkey of a locked account is refused');
    const system = await t.database.db
      .selectFrom('audit_event')
      .select('entity_id')
      .where('action', '=', 'account.locked')
      .execute();
    assert.ok(system.some((e) => e.entity_id === user.user.id));
  });

  it('offers the passkey as a second factor after the password', async () => {
    const client = freshClient(t.app);
    const login = await logInWithPassword(client, advisor.user.email, STAFF_PASSWORD);
    assert.equal(login.headers.location, '/beheer/tweestaps');
    const page = await client.get('/beheer/tweestaps');
    assert.match(page.body, /Of gebruik uw passkey/);
    assert.match(page.body, /name="code"/, 'the code stays available');
    const { verified } = await signInWithPasskey(client, authenticator, {}, '/beheer/tweestaps');
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal((await client.get('/beheer')).statusCode, 200);
  });

  it('removes a passkey of ones own, audited; not someone else’s', async () => {
    const other = await signInAsStaff(t.app, 'advisor');
    assert.equal((await addPasskey(other.client, authenticatorFor(rp))).statusCode, 200);
    const [theirs] = await t.database.db
      .selectFrom('staff_passkey')
      .select('id')
      .where('user_id', '=', other.user.id)
      .execute();
    const client = freshClient(t.app);
    assert.equal((await signInWithPasskey(client, authenticator)).verified.statusCode, 200);
    const page = await client.get('/beheer/account/passkeys');
    const csrf = inputValue(page.body, '_csrf');
    const notMine = await client.postForm(`/beheer/account/passkeys/${theirs?.id}/verwijderen`, {
      _csrf: csrf,
    });
    assert.equal(notMine.statusCode, 404);
    const mine = /data-passkey-row="([0-9a-f-]+)"/.exec(page.body)?.[1];
    const removed = await client.postForm(`/beheer/account/passkeys/${mine}/verwijderen`, { _csrf: csrf });
    assert.equal(removed.statusCode, 303);
    assert.equal(removed.headers.location, '/beheer/account/passkeys?verwijderd');
    const after = await client.get('/beheer/account/passkeys');
    assert.match(after.body, /data-passkeys-empty/);
    const actions = (await auditActions(t, advisor.user.id)).map((e) => e.action);
    assert.ok(actions.includes('staff.passkey_removed'));
  });
});

describe('a role that requires passkeys', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let admin: SignedInStaff;

  before(async () => {
    t = await createTestApp();
    rp = relyingParty(t.config);
    admin = await signInAsStaff(t.app, 'admin');
  });
  after(() => t.close());

  async function requirePasskeyFor(roles: string[]) {
    const page = await admin.client.get('/beheer/instellingen/rollen');
    assert.equal(page.statusCode, 200);
    return admin.client.postForm('/beheer/instellingen/rollen', {
      _csrf: inputValue(page.body, '_csrf'),
      require_passkey: roles,
    });
  }

  it('is set by administrators only, and each change is audited', async () => {
    for (const role of ['coordinator', 'advisor'] as const) {
      const other = await signInAsStaff(t.app, role);
      assert.equal((await other.client.get('/beheer/instellingen/rollen')).statusCode, 403);
      const home = await other.client.get('/beheer');
      const post = await other.client.postForm('/beheer/instellingen/rollen', {
        _csrf: inputValue(home.body, '_csrf'),
        require_passkey: 'advisor',
      });
      assert.equal(post.statusCode, 403);
    }
    assert.match((await admin.client.get('/beheer')).body, /data-role-settings-link/);
    const saved = await requirePasskeyFor(['advisor']);
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/beheer/instellingen/rollen?opgeslagen');
    const page = await admin.client.get('/beheer/instellingen/rollen?opgeslagen');
    assert.match(page.body, /<input[^>]*value="advisor"[^>]*checked/);
    assert.doesNotMatch(page.body, /<input[^>]*value="coordinator"[^>]*checked/);
    const audited = (await auditActions(t, admin.user.id)).filter(
      (e) => e.action === 'config.role_setting_changed',
    );
    assert.deepEqual(
      audited.map((e) => e.details),
      [{ role: 'advisor', require_passkey: true }],
    );
    assert.equal((await requirePasskeyFor(['advisor'])).statusCode, 303);
    const unchanged = (await auditActions(t, admin.user.id)).filter(
      (e) => e.action === 'config.role_setting_changed',
    );
    assert.equal(unchanged.length, 1, 'saving without a change audits nothing');
    const bad = await requirePasskeyFor(['advisor', 'superuser']);
    assert.equal(bad.statusCode, 400);
    assert.equal(errorSummary(bad.body).length, 1);
  });

  it('blocks password + TOTP until a passkey is registered, then requires the passkey', async () => {
    await requirePasskeyFor(['advisor']);
    const user = await createStaffUser(t.app, 'advisor');
    const client = freshClient(t.app);
    // First sign-in: password, TOTP enrolment, and then a passkey before anything else.
    const login = await logInWithPassword(client, user.email, STAFF_PASSWORD);
    assert.equal(login.headers.location, '/beheer/tweestaps-instellen');
    const enrolPage = await client.get('/beheer/tweestaps-instellen');
    const secret = (/data-totp-secret>([A-Z2-7 ]+)</.exec(enrolPage.body)?.[1] ?? '').replace(/ /g, '');
    const enrolled = await client.postForm('/beheer/tweestaps-instellen', {
      _csrf: inputValue(enrolPage.body, '_csrf'),
      code: totpNow(secret),
    });
    assert.equal(enrolled.statusCode, 200);
    assert.match(enrolled.body, /href="\/beheer\/passkey-instellen"/, 'recovery codes, then the passkey');
    const blocked = await client.get('/beheer');
    assert.equal(blocked.statusCode, 303, 'no full session with password and TOTP alone');
    assert.match(blocked.headers.location ?? '', /^\/beheer\/inloggen/);
    const actions = (await auditActions(t, user.id)).map((e) => e.action);
    assert.ok(!actions.includes('login.success'));
    assert.ok(actions.includes('login.second_factor_accepted'));

    const enrolment = await client.get('/beheer/passkey-instellen');
    assert.equal(enrolment.statusCode, 200);
    assert.match(enrolment.body, /JavaScript/, 'says what a passkey needs');
    const authenticator = authenticatorFor(rp);
    const added = await addPasskey(client, authenticator, '/beheer/passkey-instellen');
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(json(added.body).redirect, '/beheer');
    assert.equal((await client.get('/beheer')).statusCode, 200, 'signed in');

    // Next time: the password leads to the passkey only; a TOTP code is not accepted.
    await signOut(client);
    const again = await logInWithPassword(client, user.email, STAFF_PASSWORD);
    assert.equal(again.headers.location, '/beheer/tweestaps');
    const secondFactor = await client.get('/beheer/tweestaps');
    assert.match(secondFactor.body, /data-passkey-required/);
    assert.doesNotMatch(secondFactor.body, /name="code"/);
    const code = await client.postForm('/beheer/tweestaps', {
      _csrf: widgetCsrf(secondFactor.body),
      code: totpNow(secret, Date.now() + 30_000),
    });
    assert.equal(code.statusCode, 303);
    assert.equal(code.headers.location, '/beheer/tweestaps');
    assert.equal((await client.get('/beheer')).statusCode, 303, 'still not signed in');
    assert.equal((await client.get('/beheer/tweestaps-instellen')).headers.location, '/beheer/tweestaps');
    const { verified } = await signInWithPasskey(client, authenticator, {}, '/beheer/tweestaps');
    assert.equal(verified.statusCode, 200);
    assert.equal((await client.get('/beheer')).statusCode, 200);
  });

  it('sends a user with TOTP but no passkey from the code to registering one', async () => {
    const user = await signInAsStaff(t.app, 'coordinator');
    await requirePasskeyFor(['advisor', 'coordinator']);
    await signOut(user.client);
    const login = await logInWithPassword(user.client, user.user.email, STAFF_PASSWORD);
    assert.equal(login.headers.location, '/beheer/tweestaps');
    const code = await submitCode(user.client, totpNow(user.totpSecret, Date.now() + 30_000));
    assert.equal(code.headers.location, '/beheer/passkey-instellen');
    // That session may register a passkey and nothing else.
    assert.equal((await user.client.get('/beheer/account/passkeys')).statusCode, 303);
    assert.equal((await user.client.get('/beheer/tweestaps')).statusCode, 303);
    assert.equal((await user.client.get('/beheer/passkey-instellen')).statusCode, 200);
  });

  it('keeps the last passkey while the role requires one', async () => {
    await requirePasskeyFor(['admin']);
    const authenticator = authenticatorFor(rp);
    assert.equal((await addPasskey(admin.client, authenticator)).statusCode, 200);
    const page = await admin.client.get('/beheer/account/passkeys');
    const id = /data-passkey-row="([0-9a-f-]+)"/.exec(page.body)?.[1];
    const refused = await admin.client.postForm(`/beheer/account/passkeys/${id}/verwijderen`, {
      _csrf: inputValue(page.body, '_csrf'),
    });
    assert.equal(refused.statusCode, 409);
    assert.match(errorSummary(refused.body)[0] ?? '', /enige passkey/);
    assert.match(refused.body, /data-passkey-row/, 'still listed');
  });
});
