import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from 'otpauth';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { hashSecret } from '../../crypto/passwords.ts';
import { ensureSetupLink } from '../setup/setup-service.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { hashSessionId, SESSION_IDLE_MS } from './session-service.ts';
import { STAFF_PASSWORD, logInWithPassword as logInAs, submitCode, totpNow } from '../../test/staff.ts';

const email = 'sanne@example.org';
const password = STAFF_PASSWORD;
const COOKIE = 'baken_staff';

const location = (response: LightMyRequestResponse) => String(response.headers.location);

const logInWithPassword = (client: TestClient, user = email, secret = password) =>
  logInAs(client, user, secret);

describe('staff sign-in: the whole journey of the first administrator', () => {
  let t: TestApp;
  let secret = '';
  let recoveryCodes: string[] = [];
  let enrolmentCode = '';

  const db = () => t.database.db;
  const userId = async () =>
    (await db().selectFrom('staff_user').select('id').where('email', '=', email).executeTakeFirstOrThrow())
      .id;
  /** A second sign-in within the same 30 seconds needs a step the replay guard has not seen. */
  const forgetLastStep = async () =>
    db()
      .updateTable('staff_totp')
      .set({ last_used_step: null })
      .where('user_id', '=', await userId())
      .execute();

  async function signIn(client: TestClient) {
    const login = await logInWithPassword(client);
    assert.equal(location(login), '/beheer/tweestaps');
    await forgetLastStep();
    const code = await submitCode(client, totpNow(secret));
    assert.equal(code.statusCode, 303);
    assert.equal(location(code), '/beheer');
  }

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('setup creates the administrator, who must then enrol TOTP before anything else', async () => {
    const link = await ensureSetupLink(db(), t.config.publicUrl);
    assert.ok(link);
    const client = new TestClient(t.app);
    const path = new URL(link).pathname;
    const form = await client.get(path);
    const created = await client.postForm(path, {
      _csrf: inputValue(form.body, '_csrf'),
      display_name: 'Sanne de Vries',
      email,
      password,
      password_repeat: password,
    });
    assert.equal(created.statusCode, 303);

    const loginPage = await client.get('/beheer/inloggen');
    assert.equal(loginPage.body.match(/<h1/g)?.length, 1);
    assert.match(loginPage.body, /<html lang="nl"/);
    assert.match(loginPage.body, /autocomplete="username"/);
    assert.match(loginPage.body, /autocomplete="current-password"/);
    assert.match(loginPage.body, /<label class="utrecht-form-label" for="f-email">E-mailadres<\/label>/);
    assert.equal(loginPage.headers['cache-control'], 'no-store');

    const login = await logInWithPassword(client);
    assert.equal(login.statusCode, 303);
    assert.equal(location(login), '/beheer/tweestaps-instellen');
    const pendingId = client.cookies.get(COOKIE);
    assert.ok(pendingId && pendingId.length >= 43, 'a session id of 256 bits');

    // The pending session grants nothing else.
    const home = await client.get('/beheer');
    assert.equal(home.statusCode, 303);
    assert.equal(location(home), '/beheer/inloggen');
    assert.equal(location(await client.get('/beheer/tweestaps')), '/beheer/tweestaps-instellen');

    const enrolPage = await client.get('/beheer/tweestaps-instellen');
    assert.equal(enrolPage.statusCode, 200);
    assert.equal(enrolPage.body.match(/<h1/g)?.length, 1);
    assert.match(enrolPage.body, /autocomplete="one-time-code"/);
    const grouped = /data-totp-secret>([A-Z2-7 ]+)</.exec(enrolPage.body)?.[1];
    assert.ok(grouped, 'the secret is shown as text');
    assert.match(grouped, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, 'in groups of four');
    secret = grouped.replace(/ /g, '');
    assert.match(enrolPage.body, new RegExp(`href="otpauth://totp/[^"]*secret=${secret}&amp;`));
    // Reloading shows the same secret, so what the user scanned stays valid.
    assert.ok((await client.get('/beheer/tweestaps-instellen')).body.includes(grouped));

    const stored = await db().selectFrom('staff_totp').selectAll().executeTakeFirstOrThrow();
    assert.ok(!stored.secret.toString('latin1').includes(secret), 'the secret is stored encrypted');
    assert.ok(!Buffer.from(Secret.fromBase32(secret).bytes).equals(stored.secret));
    assert.equal(stored.enabled_at, null);

    const wrong = await client.postForm('/beheer/tweestaps-instellen', {
      _csrf: inputValue(enrolPage.body, '_csrf'),
      code: totpNow(secret, Date.now() - 10 * 60 * 1000),
    });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(errorSummary(wrong.body), [
      'Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu laat zien.',
    ]);
    assert.match(wrong.body, /id="f-code-error"/);

    enrolmentCode = totpNow(secret);
    const enrolled = await client.postForm('/beheer/tweestaps-instellen', {
      _csrf: inputValue(enrolPage.body, '_csrf'),
      code: enrolmentCode,
    });
    assert.equal(enrolled.statusCode, 200);
    recoveryCodes = [
      ...enrolled.body.matchAll(/<li class="utrecht-ordered-list__item"><code>([a-z0-9-]+)<\/code>/g),
    ].map((m) => m[1] ?? '');
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    const codeRows = await db().selectFrom('staff_recovery_code').selectAll().execute();
    assert.equal(codeRows.length, 10);
    assert.ok(!JSON.stringify(codeRows).includes(recoveryCodes[0] ?? '-'), 'only hashes are stored');

    const fullId = client.cookies.get(COOKIE);
    assert.ok(fullId && fullId !== pendingId, 'the session id is renewed after the second factor');
    const sessions = await db().selectFrom('staff_session').selectAll().execute();
    assert.deepEqual(
      sessions.map((s) => [s.id_hash, s.stage]),
      [[hashSessionId(fullId), 'full']],
      'the pending session is gone; only a hash of the id is stored',
    );

    const signedIn = await client.get('/beheer');
    assert.equal(signedIn.statusCode, 200);
    assert.match(signedIn.body, /U bent ingelogd als Sanne de Vries, met de rol beheerder\./);
    assert.match(signedIn.body, /Uitloggen/);
    assert.match(signedIn.body, /Overal uitloggen/);
    assert.equal(location(await client.get('/beheer/inloggen')), '/beheer');
    assert.equal(location(await client.get('/beheer/tweestaps')), '/beheer');
    const english = await client.get('/en/beheer');
    assert.match(english.body, /You are signed in as Sanne de Vries, with the role administrator\./);
  });

  it('refuses the same TOTP code twice, and accepts a recovery code once', async () => {
    const client = new TestClient(t.app);
    const login = await logInWithPassword(client);
    assert.equal(location(login), '/beheer/tweestaps');
    const replay = await submitCode(client, enrolmentCode);
    assert.equal(replay.statusCode, 400, 'a used code is refused (replay guard)');
    assert.deepEqual(errorSummary(replay.body), [
      'Deze code klopt niet of is al gebruikt. Vul de code in die uw app nu laat zien, of een herstelcode die u nog niet heeft gebruikt.',
    ]);

    const [first = '', second = ''] = recoveryCodes;
    const recovered = await submitCode(client, first);
    assert.equal(recovered.statusCode, 303);
    assert.equal(location(recovered), '/beheer');
    assert.equal((await client.get('/beheer')).statusCode, 200);

    const out = await client.postForm('/beheer/uitloggen', {});
    assert.equal(location(out), '/beheer/inloggen?uitgelogd');
    assert.equal(client.cookies.get(COOKIE), undefined);
    assert.equal(location(await client.get('/beheer')), '/beheer/inloggen');

    await logInWithPassword(client);
    assert.equal((await submitCode(client, first)).statusCode, 400, 'a recovery code works once');
    // Case, spaces and the hyphen do not matter.
    const typed = ` ${second.toUpperCase().replace('-', ' ')} `;
    assert.equal(location(await submitCode(client, typed)), '/beheer');
  });

  it('ends a session after 30 idle minutes and after 12 hours, and redirects to the login page', async () => {
    const client = new TestClient(t.app);
    await signIn(client);
    const idHash = hashSessionId(client.cookies.get(COOKIE) ?? '');
    await db()
      .updateTable('staff_session')
      .set({ last_seen_at: new Date(Date.now() - SESSION_IDLE_MS - 1000) })
      .where('id_hash', '=', idHash)
      .execute();
    const idle = await client.get('/beheer');
    assert.equal(idle.statusCode, 303);
    assert.equal(location(idle), '/beheer/inloggen?verlopen');
    assert.equal(client.cookies.get(COOKIE), undefined, 'the dead cookie is cleared');
    const notice = await client.get(location(idle));
    assert.match(notice.body, /U was een tijd niet actief en bent uitgelogd/);
    assert.equal(
      await db()
        .selectFrom('staff_session')
        .select('id_hash')
        .where('id_hash', '=', idHash)
        .executeTakeFirst(),
      undefined,
    );

    await signIn(client);
    await db()
      .updateTable('staff_session')
      .set({ created_at: new Date(Date.now() - 12 * 60 * 60 * 1000 - 1000) } as never)
      .where('id_hash', '=', hashSessionId(client.cookies.get(COOKIE) ?? ''))
      .execute();
    assert.equal(location(await client.get('/beheer')), '/beheer/inloggen?verlopen');
  });

  it('"overal uitloggen" ends every session of the user', async () => {
    const laptop = new TestClient(t.app);
    const phone = new TestClient(t.app);
    await signIn(laptop);
    await signIn(phone);
    assert.equal((await phone.get('/beheer')).statusCode, 200);
    const home = await laptop.get('/beheer');
    const noToken = await laptop.postForm('/beheer/overal-uitloggen', {});
    assert.equal(noToken.statusCode, 403, 'needs a valid form token');
    assert.equal((await phone.get('/beheer')).statusCode, 200);

    const everywhere = await laptop.postForm('/beheer/overal-uitloggen', {
      _csrf: inputValue(home.body, '_csrf'),
    });
    assert.equal(location(everywhere), '/beheer/inloggen?uitgelogd');
    assert.equal(location(await laptop.get('/beheer')), '/beheer/inloggen');
    assert.equal(location(await phone.get('/beheer')), '/beheer/inloggen?verlopen');
    const left = await db()
      .selectFrom('staff_session')
      .select('id_hash')
      .where('user_id', '=', await userId())
      .execute();
    assert.equal(left.length, 0);
  });

  it('gives one message for a wrong e-mail address and a wrong password, and logs neither', async () => {
    const client = new TestClient(t.app);
    const unknown = await logInWithPassword(client, 'niemand@example.org', password);
    const wrong = await logInWithPassword(client, email, 'niet het goede wachtwoord');
    assert.equal(unknown.statusCode, 400);
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(errorSummary(unknown.body), errorSummary(wrong.body));
    assert.match(errorSummary(wrong.body)[0] ?? '', /neem dan contact op met een beheerder/);
    assert.equal(inputValue(wrong.body, 'email'), email, 'the address is kept');
    assert.ok(!wrong.body.includes('niet het goede wachtwoord'), 'the password is not echoed');

    const missing = await client.postForm('/beheer/inloggen', {
      _csrf: inputValue(wrong.body, '_csrf'),
      email: '',
      password: '',
    });
    assert.deepEqual(errorSummary(missing.body), ['Vul uw e-mailadres in.', 'Vul uw wachtwoord in.']);
    assert.match(missing.body, /id="f-email-error"/);
    assert.match(missing.body, /id="f-password-error"/);

    const logged = JSON.stringify(t.logLines);
    for (const secretValue of [
      email,
      'niemand@example.org',
      password,
      'niet het goede wachtwoord',
      enrolmentCode,
      ...recoveryCodes,
    ]) {
      assert.ok(secretValue.length > 0);
      assert.ok(!logged.includes(secretValue), 'nothing typed at sign-in reaches the log');
    }
    await db().updateTable('staff_user').set({ failed_login_count: 0 }).execute();
  });

  it('counts failed second factors against the account', async () => {
    const client = new TestClient(t.app);
    await logInWithPassword(client);
    assert.equal((await submitCode(client, '000000')).statusCode, 400);
    const row = await db().selectFrom('staff_user').select('failed_login_count').executeTakeFirstOrThrow();
    assert.equal(row.failed_login_count, 1);
    await forgetLastStep();
    assert.equal(location(await submitCode(client, totpNow(secret))), '/beheer');
    const reset = await db().selectFrom('staff_user').select('failed_login_count').executeTakeFirstOrThrow();
    assert.equal(reset.failed_login_count, 0, 'a completed sign-in resets the count');
  });

  it('locks the account after 10 failed attempts in a row, even for the right password', async () => {
    const client = new TestClient(t.app);
    for (let attempt = 1; attempt <= 10; attempt++) {
      // From different addresses, so that only the per-account limit applies.
      client.remoteAddress = `192.0.2.${attempt}`;
      assert.equal((await logInWithPassword(client, email, `fout wachtwoord ${attempt}`)).statusCode, 400);
    }
    const user = await db()
      .selectFrom('staff_user')
      .select(['failed_login_count', 'locked_at'])
      .executeTakeFirstOrThrow();
    assert.equal(user.failed_login_count, 10);
    assert.ok(user.locked_at, 'locked');

    client.remoteAddress = '192.0.2.99';
    const right = await logInWithPassword(client);
    assert.equal(right.statusCode, 400);
    assert.match(errorSummary(right.body)[0] ?? '', /contact op met een beheerder/);
    assert.equal(client.cookies.get(COOKIE), undefined, 'no session');
    await db().updateTable('staff_user').set({ failed_login_count: 0, locked_at: null }).execute();
  });

  it('writes every sign-in step to the audit log, without what was typed, in an unbroken chain', async () => {
    const events = await db().selectFrom('audit_event').selectAll().orderBy('seq').execute();
    const actions = new Set(events.map((e) => e.action));
    for (const action of [
      'staff.created',
      'mfa.enrolled',
      'login.success',
      'login.failure',
      'account.locked',
    ]) {
      assert.ok(actions.has(action), `audit has ${action}`);
    }
    const user = await db().selectFrom('staff_user').select(['id', 'email']).executeTakeFirstOrThrow();
    assert.ok(events.some((e) => e.action === 'login.success' && e.actor_user_id === user.id));
    const text = JSON.stringify(events);
    assert.ok(!text.includes(user.email) && !text.includes(password), 'no address or password in the log');
    assert.deepEqual((await verifyAuditChain(db())).ok, true);
  });
});

describe('staff sign-in limits and cookies', () => {
  async function withUser(t: TestApp): Promise<void> {
    await t.database.db
      .insertInto('staff_user')
      .values({
        id: crypto.randomUUID(),
        email,
        display_name: 'Sanne de Vries',
        role: 'advisor',
        password_hash: await hashSecret(password),
      })
      .execute();
  }

  it('refuses further attempts from one source once its limit is reached', async () => {
    const t = await createTestApp({
      configure: (config) => {
        config.throttles.staffLogin = {
          maxAttempts: 3,
          slowAfter: 100,
          baseDelayMs: 0,
          maxDelayMs: 0,
          windowMs: 60_000,
        };
      },
    });
    try {
      await withUser(t);
      const client = new TestClient(t.app);
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.equal((await logInWithPassword(client, email, `fout ${attempt}`)).statusCode, 400);
      }
      const refused = await logInWithPassword(client);
      assert.equal(refused.statusCode, 429, 'even the right password waits');
      assert.deepEqual(errorSummary(refused.body), [
        'Er zijn te veel pogingen gedaan. Wacht een paar minuten en probeer het dan opnieuw.',
      ]);
      client.remoteAddress = '198.51.100.7';
      assert.equal(location(await logInWithPassword(client)), '/beheer/tweestaps-instellen');
    } finally {
      await t.close();
    }
  });

  it('refuses further attempts for one account from any source once its limit is reached', async () => {
    const t = await createTestApp({
      configure: (config) => {
        config.throttles.staffLoginAccount = {
          maxAttempts: 3,
          slowAfter: 100,
          baseDelayMs: 0,
          maxDelayMs: 0,
          windowMs: 60_000,
        };
      },
    });
    try {
      await withUser(t);
      const client = new TestClient(t.app);
      for (let attempt = 1; attempt <= 3; attempt++) {
        client.remoteAddress = `198.51.100.${attempt}`;
        assert.equal(
          (await logInWithPassword(client, email.toUpperCase(), `fout ${attempt}`)).statusCode,
          400,
        );
      }
      client.remoteAddress = '203.0.113.9';
      assert.equal((await logInWithPassword(client)).statusCode, 429, 'a new source does not help');
      // An unknown address is treated the same, so the answer tells nothing about which accounts exist.
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.equal((await logInWithPassword(client, 'niemand@example.org', 'fout')).statusCode, 400);
      }
      assert.equal((await logInWithPassword(client, 'niemand@example.org', 'fout')).statusCode, 429);
    } finally {
      await t.close();
    }
  });

  it('uses a __Host- prefixed, Secure, HttpOnly, SameSite=Strict session cookie in production', async () => {
    const t = await createTestApp({
      configure: (config) => {
        config.env = 'production';
      },
    });
    try {
      await withUser(t);
      const client = new TestClient(t.app);
      const login = await logInWithPassword(client);
      assert.equal(login.statusCode, 303);
      const cookie = login.cookies.find((c) => c.name.endsWith('baken_staff'));
      assert.ok(cookie);
      assert.equal(cookie.name, '__Host-baken_staff');
      assert.equal(cookie.secure, true);
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.path, '/');
      assert.equal(cookie.domain, undefined);
      assert.equal(cookie.maxAge, undefined, 'a session cookie');
      assert.equal((await client.get('/beheer/tweestaps-instellen')).statusCode, 200);
    } finally {
      await t.close();
    }
  });
});
