import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { verifySecret } from '../../crypto/passwords.ts';
import { ensureSetupLink, hashSetupToken } from './setup-service.ts';

const password = 'een lange zin als wachtwoord';
const validForm = {
  display_name: 'Sanne de Vries',
  email: 'sanne@example.org',
  password,
  password_repeat: password,
};

/** The path part of a printed link: `/setup/<token>`. */
function pathOf(link: string): string {
  return new URL(link).pathname;
}

function tokenOf(link: string): string {
  return pathOf(link).split('/').pop() ?? '';
}

/** Password fields are there, and empty. */
function assertPasswordsEmpty(html: string): void {
  for (const name of ['password', 'password_repeat']) {
    const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
    assert.ok(tag, `there is a ${name} field`);
    assert.doesNotMatch(tag, /value="/, `${name} is empty`);
  }
}

describe('first administrator setup', () => {
  let t: TestApp;
  let client: TestClient;

  /** A fresh database state: no staff, and a new link. */
  async function freshLink(): Promise<string> {
    await t.database.db.deleteFrom('staff_user').execute();
    const link = await ensureSetupLink(t.database.db, t.config.publicUrl);
    assert.ok(link, 'without an administrator there is a link');
    return link;
  }

  async function openForm(path: string) {
    const page = await client.get(path);
    assert.equal(page.statusCode, 200);
    return { html: page.body, csrf: inputValue(page.body, '_csrf') };
  }

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());
  beforeEach(() => {
    client = new TestClient(t.app);
  });

  it('without an administrator, makes a 24-hour link and stores only a hash of its token', async () => {
    const startedAt = Date.now();
    const link = await freshLink();
    assert.match(link, new RegExp(`^${t.config.publicUrl}/setup/[A-Za-z0-9_-]{43}$`));
    const token = tokenOf(link);
    const rows = await t.database.db.selectFrom('setup_token').selectAll().execute();
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.ok(row);
    assert.equal(row.token_hash, hashSetupToken(token));
    assert.ok(!JSON.stringify(rows).includes(token), 'the token itself is not stored');
    const validFor = row.expires_at.getTime() - startedAt;
    assert.ok(Math.abs(validFor - 24 * 60 * 60 * 1000) < 60_000, 'valid for 24 hours');
  });

  it('shows an accessible form with labelled fields and new-password autocomplete', async () => {
    const link = await freshLink();
    const { html } = await openForm(pathOf(link));
    assert.match(html, /<html lang="nl"/);
    assert.match(html, /<title>Eerste beheerder aanmaken \| Baken /);
    assert.equal(html.match(/<h1/g)?.length, 1);
    assert.doesNotMatch(html, /data-quick-exit/, 'no quick exit on staff pages');
    for (const field of ['display_name', 'email', 'password', 'password_repeat']) {
      assert.match(html, new RegExp(`<label class="utrecht-form-label" for="f-${field}">`));
    }
    assert.equal(html.match(/autocomplete="new-password"/g)?.length, 2);
    assert.match(html, new RegExp(`action="${pathOf(link)}"`));
  });

  it('checks every field server-side, in Dutch, keeping name and e-mail but never the passwords', async () => {
    const link = await freshLink();
    const { csrf } = await openForm(pathOf(link));
    const post = (fields: Record<string, string>) =>
      client.postForm(pathOf(link), { _csrf: csrf, ...fields });

    const short = await post({ ...validForm, password: 'kort', password_repeat: 'kort' });
    assert.equal(short.statusCode, 400);
    assert.deepEqual(errorSummary(short.body), ['Het wachtwoord is te kort. Gebruik minimaal 12 tekens.']);
    assert.match(short.body, /id="f-password-error"/);
    assert.match(short.body, /<title>Fout: /);
    assert.equal(inputValue(short.body, 'display_name'), validForm.display_name);
    assert.equal(inputValue(short.body, 'email'), validForm.email);
    assertPasswordsEmpty(short.body);
    assert.ok(!short.body.includes('kort"'), 'the typed password is not in the page');

    const mismatch = await post({ ...validForm, password_repeat: `${password}!` });
    assert.deepEqual(errorSummary(mismatch.body), [
      'De wachtwoorden zijn niet gelijk. Vul twee keer hetzelfde wachtwoord in.',
    ]);
    assert.match(mismatch.body, /id="f-password_repeat-error"/);
    assert.ok(!mismatch.body.includes(password), 'the password is not echoed');

    const badEmail = await post({ ...validForm, email: 'sanne-at-example' });
    assert.deepEqual(errorSummary(badEmail.body), ['Vul een e-mailadres in zoals naam@voorbeeld.nl.']);
    assert.equal(inputValue(badEmail.body, 'email'), 'sanne-at-example');

    const tooLong = await post({ ...validForm, password: 'x'.repeat(257), password_repeat: 'x'.repeat(257) });
    assert.deepEqual(errorSummary(tooLong.body), ['Het wachtwoord is te lang. Gebruik maximaal 256 tekens.']);

    const empty = await post({ display_name: '  ', email: '', password: '', password_repeat: '' });
    assert.deepEqual(errorSummary(empty.body), [
      'Vul uw naam in.',
      'Vul uw e-mailadres in.',
      'Vul een wachtwoord in.',
      'Vul het wachtwoord nog een keer in.',
    ]);
    assert.equal(
      await t.database.db
        .selectFrom('staff_user')
        .select('id')
        .execute()
        .then((r) => r.length),
      0,
    );
  });

  it('re-shows the form with values kept when the form has expired', async () => {
    const link = await freshLink();
    await openForm(pathOf(link));
    const response = await client.postForm(pathOf(link), { ...validForm, _csrf: 'not-a-valid-token' });
    assert.equal(response.statusCode, 403);
    assert.deepEqual(errorSummary(response.body), [
      'Het formulier was verlopen. Wat u had ingevuld staat er nog. Kijk het na en verstuur het opnieuw.',
    ]);
    assert.equal(inputValue(response.body, 'display_name'), validForm.display_name);
    assertPasswordsEmpty(response.body);
    assert.equal((await t.database.db.selectFrom('staff_user').select('id').execute()).length, 0);
  });

  it('creates exactly one administrator with an argon2id hash, after which the link is dead', async () => {
    const link = await freshLink();
    const { csrf } = await openForm(pathOf(link));
    const response = await client.postForm(pathOf(link), { _csrf: csrf, ...validForm });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/setup/klaar');
    const done = await client.get('/setup/klaar');
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Het beheerdersaccount is aangemaakt/);

    const users = await t.database.db.selectFrom('staff_user').selectAll().execute();
    assert.equal(users.length, 1);
    const [admin] = users;
    assert.ok(admin);
    assert.equal(admin.role, 'admin');
    assert.equal(admin.display_name, validForm.display_name);
    assert.equal(admin.email, validForm.email);
    assert.equal(admin.disabled_at, null);
    assert.match(admin.password_hash ?? '', /^\$argon2id\$/);
    assert.equal(await verifySecret(admin.password_hash ?? '', password), true);
    assert.equal(await verifySecret(admin.password_hash ?? '', 'een ander wachtwoord!'), false);
    assert.equal((await t.database.db.selectFrom('setup_token').selectAll().execute()).length, 0);

    assert.equal((await client.get(pathOf(link))).statusCode, 404);
    const again = await client.postForm(pathOf(link), {
      _csrf: csrf,
      ...validForm,
      email: 'ander@example.org',
    });
    assert.equal(again.statusCode, 404);
    assert.equal(await ensureSetupLink(t.database.db, t.config.publicUrl), undefined);
    assert.equal((await t.database.db.selectFrom('staff_user').selectAll().execute()).length, 1);
  });

  it('lets only one of two simultaneous submissions create the administrator', async () => {
    const link = await freshLink();
    const { csrf } = await openForm(pathOf(link));
    const responses = await Promise.all([
      client.postForm(pathOf(link), { _csrf: csrf, ...validForm }),
      client.postForm(pathOf(link), { _csrf: csrf, ...validForm, email: 'tweede@example.org' }),
    ]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [303, 404]);
    assert.equal((await t.database.db.selectFrom('staff_user').selectAll().execute()).length, 1);
  });

  it('answers an unknown, malformed or expired token with the ordinary 404 page', async () => {
    const link = await freshLink();
    const notFound = await client.get('/deze-pagina-bestaat-niet');
    for (const path of ['/setup/abc', `/setup/${'A'.repeat(43)}`, '/setup/klaar/x']) {
      const response = await client.get(path);
      assert.equal(response.statusCode, 404, path);
      assert.equal(
        /<h1[^>]*>([^<]*)</.exec(response.body)?.[1],
        /<h1[^>]*>([^<]*)</.exec(notFound.body)?.[1],
      );
    }
    await t.database.db
      .updateTable('setup_token')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    assert.equal((await client.get(pathOf(link))).statusCode, 404);
    assert.equal((await client.postForm(pathOf(link), validForm)).statusCode, 404);
  });

  it('invalidates the previous link when the app starts again before setup', async () => {
    const first = await freshLink();
    const second = await ensureSetupLink(t.database.db, t.config.publicUrl);
    assert.ok(second);
    assert.notEqual(second, first);
    assert.equal((await client.get(pathOf(first))).statusCode, 404);
    assert.equal((await client.get(pathOf(second))).statusCode, 200);
    assert.equal((await t.database.db.selectFrom('setup_token').selectAll().execute()).length, 1);
  });

  it('does not count a disabled administrator, whose e-mail address stays taken', async () => {
    await freshLink();
    await t.database.db
      .insertInto('staff_user')
      .values({
        id: randomUUID(),
        email: 'oud@example.org',
        display_name: 'Oud',
        role: 'admin',
        password_hash: 'x',
        disabled_at: new Date(),
      })
      .execute();
    const link = await ensureSetupLink(t.database.db, t.config.publicUrl);
    assert.ok(link, 'a disabled administrator does not count');

    // Its e-mail address stays taken (case-insensitively); the link survives the refusal.
    const { csrf } = await openForm(pathOf(link));
    const taken = await client.postForm(pathOf(link), {
      _csrf: csrf,
      ...validForm,
      email: 'OUD@example.org',
    });
    assert.equal(taken.statusCode, 400);
    assert.deepEqual(errorSummary(taken.body), [
      'Er bestaat al een account met dit e-mailadres. Kies een ander e-mailadres.',
    ]);
    assert.equal((await client.get(pathOf(link))).statusCode, 200);
  });

  it('never writes the token to the log', async () => {
    const link = await freshLink();
    const token = tokenOf(link);
    t.logLines.length = 0;
    const { csrf } = await openForm(pathOf(link));
    await client.postForm(pathOf(link), { _csrf: csrf, ...validForm, password_repeat: 'anders' });
    await client.postForm(pathOf(link), { _csrf: csrf, ...validForm });
    await client.get(pathOf(link));
    const log = JSON.stringify(t.logLines);
    assert.ok(
      t.logLines.some((line) => line.route === '/setup/:token'),
      'requests are logged by pattern',
    );
    assert.ok(!log.includes(token), 'the token is not in the log');
    assert.ok(!log.includes(password), 'the password is not in the log');
    assert.ok(!log.includes(validForm.email), 'the e-mail address is not in the log');
  });

  it('works in English under /en', async () => {
    const link = await freshLink();
    const { html, csrf } = await openForm(`/en${pathOf(link)}`);
    assert.match(html, /<html lang="en"/);
    assert.match(html, /Create the first administrator/);
    assert.match(html, new RegExp(`action="/en${pathOf(link)}"`));
    const invalid = await client.postForm(`/en${pathOf(link)}`, {
      _csrf: csrf,
      ...validForm,
      password: 'short',
      password_repeat: 'other',
    });
    assert.deepEqual(errorSummary(invalid.body), [
      'The password is too short. Use at least 12 characters.',
      'The passwords are not the same. Fill in the same password twice.',
    ]);
    const response = await client.postForm(`/en${pathOf(link)}`, { _csrf: csrf, ...validForm });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/en/setup/klaar');
    const done = await client.get('/en/setup/klaar');
    assert.match(done.body, /The administrator account has been created/);
    assert.equal((await client.get(`/en${pathOf(link)}`)).statusCode, 404);
  });
});
