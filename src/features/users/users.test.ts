import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import {
  STAFF_PASSWORD,
  createStaffUser,
  logInWithPassword,
  signInAsStaff,
  totpNow,
  type SignedInStaff,
} from '../../test/staff.ts';
import { mailText, startTestSmtpServer, type TestSmtpServer } from '../../test/smtp.ts';
import { registeredRoutes } from '../../web/policy.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { consoleTransport, deliverDueMail, smtpTransport, type MailTransport } from '../mail/delivery.ts';
import { openRecipient } from '../mail/outbox.ts';
import { createStaffSession } from '../auth/session-service.ts';
import { hashStaffToken } from './staff-tokens.ts';

const NEW_PASSWORD = 'mijn fiets staat bij de brug';
const location = (response: LightMyRequestResponse) => String(response.headers.location);

describe('staff accounts: invitations, roles, access and links', () => {
  let t: TestApp;
  let admin: SignedInStaff;
  let smtp: TestSmtpServer;

  before(async () => {
    t = await createTestApp();
    admin = await signInAsStaff(t.app, 'admin', { displayName: 'Anna Beheer' });
    smtp = await startTestSmtpServer();
  });
  after(async () => {
    await smtp.close();
    await t.close();
  });

  const db = () => t.database.db;
  const rootKey = () => t.config.secrets.secretKey;

  /** Posts a form of the page at `pageUrl` (for its CSRF token) to `action`. */
  async function submit(
    client: TestClient,
    pageUrl: string,
    action: string,
    fields: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const page = await client.get(pageUrl);
    assert.equal(page.statusCode, 200, `${pageUrl} shows`);
    return client.postForm(action, { _csrf: inputValue(page.body, '_csrf'), ...fields });
  }

  const invite = (fields: Record<string, string>) =>
    submit(admin.client, '/beheer/gebruikers/uitnodigen', '/beheer/gebruikers/uitnodigen', fields);

  async function userByEmail(email: string) {
    return db().selectFrom('staff_user').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  }

  const auditRows = (action: string, entityId?: string) => {
    let query = db().selectFrom('audit_event').selectAll().where('action', '=', action);
    if (entityId) query = query.where('entity_id', '=', entityId);
    return query.execute();
  };

  /** Delivers the outbox through `transport` and returns the link of the given kind in the last message. */
  async function deliverAndFindLink(
    transport: MailTransport,
    texts: () => string[],
    kind: 'uitnodiging' | 'wachtwoord-herstellen',
  ) {
    const run = await deliverDueMail(db(), { rootKey: rootKey(), transport, from: t.config.mail.from });
    assert.ok(run.sent >= 1, 'a message went out');
    const text = texts().at(-1) ?? '';
    const link = new RegExp(`${t.config.publicUrl}(/beheer/${kind}/[A-Za-z0-9_-]{43})`).exec(text)?.[1];
    assert.ok(link, `the message carries a ${kind} link`);
    return link;
  }

  function consoleOutbox() {
    const printed: string[] = [];
    return { transport: consoleTransport((text) => printed.push(text)), texts: () => printed };
  }

  /** The invitee's side: password form, then TOTP enrolment, then the home page. */
  async function acceptAndEnrol(link: string): Promise<TestClient> {
    const invitee = new TestClient(t.app);
    const accepted = await submit(invitee, link, link, {
      password: NEW_PASSWORD,
      password_repeat: NEW_PASSWORD,
    });
    assert.equal(accepted.statusCode, 303);
    assert.equal(location(accepted), '/beheer/tweestaps-instellen');
    const enrolPage = await invitee.get('/beheer/tweestaps-instellen');
    assert.equal(enrolPage.statusCode, 200);
    const secret = /data-totp-secret>([A-Z2-7 ]+)</.exec(enrolPage.body)?.[1]?.replace(/ /g, '');
    assert.ok(secret);
    const enrolled = await invitee.postForm('/beheer/tweestaps-instellen', {
      _csrf: inputValue(enrolPage.body, '_csrf'),
      code: totpNow(secret),
    });
    assert.equal(enrolled.statusCode, 200);
    assert.match(enrolled.body, /data-recovery-codes/, 'recovery codes are shown at enrolment');
    return invitee;
  }

  it('invites in one transaction: account without password, keyed token, encrypted mail, audit event', async () => {
    const email = 'sanne.adviseur@example.org';
    const response = await invite({ display_name: 'Sanne de Vries', email, role: 'advisor' });
    assert.equal(response.statusCode, 303);
    assert.equal(location(response), '/beheer/gebruikers?gedaan=invited');
    const list = await admin.client.get(location(response));
    assert.match(list.body, /De uitnodiging is klaargezet om te versturen/);
    const user = await userByEmail(email);
    assert.equal(user.password_hash, null);
    assert.equal(user.role, 'advisor');
    assert.ok(user.invited_at);
    assert.match(list.body, new RegExp(`data-user-id="${user.id}" data-status="invited"`));

    const tokens = await db().selectFrom('staff_token').selectAll().where('user_id', '=', user.id).execute();
    assert.equal(tokens.length, 1);
    const stored = tokens[0];
    assert.ok(stored);
    assert.equal(stored.purpose, 'invite');
    assert.equal(stored.expires_at.getTime() - stored.created_at.getTime(), 7 * 24 * 60 * 60 * 1000);

    const mail = await db()
      .selectFrom('mail_outbox')
      .selectAll()
      .where('kind', '=', 'staff_invite')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.ok(
      mail.recipient && !mail.recipient.toString('latin1').includes(email),
      'the address is encrypted',
    );
    assert.equal(openRecipient(rootKey(), mail.id, mail.recipient), email);
    const token = /\/beheer\/uitnodiging\/([A-Za-z0-9_-]{43})/.exec(mail.body ?? '')?.[1];
    assert.ok(token, 'the mail holds the link');
    assert.equal(stored.token_hash, hashStaffToken(rootKey(), token), 'only a keyed hash is stored');
    assert.match(mail.body ?? '', /\/en\/beheer\/uitnodiging\//, 'and its English version');
    assert.match(mail.body ?? '', /is 7 dagen geldig/);

    const [event] = await auditRows('staff.invited', user.id);
    assert.ok(event);
    assert.equal(event.actor_user_id, admin.user.id);
    assert.equal(event.actor_role, 'admin');
    assert.ok(!JSON.stringify(event).includes(email), 'no address in the audit log');
    assert.ok(!t.logLines.some((line) => JSON.stringify(line).includes(token)), 'no link in the logs');
  });

  it('checks the invitation form server-side and keeps what was typed; a taken address changes nothing', async () => {
    const empty = await invite({});
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      'Vul de naam in.',
      'Vul het e-mailadres in.',
      'Kies een rol.',
    ]);
    const before = await db()
      .selectFrom('mail_outbox')
      .select(db().fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const taken = await invite({
      display_name: 'Nog een Anna',
      email: admin.user.email.toUpperCase(),
      role: 'advisor',
    });
    assert.equal(taken.statusCode, 400);
    assert.deepEqual(errorSummary(taken.body), ['Er bestaat al een account met dit e-mailadres.']);
    assert.match(taken.body, /value="Nog een Anna"/);
    const afterwards = await db()
      .selectFrom('mail_outbox')
      .select(db().fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(afterwards.n, before.n, 'no mail queued');
    const badRole = await invite({ display_name: 'X', email: 'x@example.org', role: 'statistics' });
    assert.deepEqual(errorSummary(badRole.body), ['Kies een rol.']);
  });

  it('invite → mail over real SMTP → password (policy enforced) → TOTP enrolment → signed in', async () => {
    const email = 'bram.adviseur@example.org';
    assert.equal((await invite({ display_name: 'Bram', email, role: 'advisor' })).statusCode, 303);
    const transport = smtpTransport(smtp.url);
    const link = await deliverAndFindLink(
      transport,
      () => smtp.received.map((m) => mailText(m.raw)),
      'uitnodiging',
    );
    transport.close();
    assert.deepEqual(smtp.received.at(-1)?.to, [email]);

    const invitee = new TestClient(t.app);
    const form = await invitee.get(link);
    assert.equal(form.statusCode, 200);
    assert.equal(form.body.match(/autocomplete="new-password"/g)?.length, 2);
    const attempt = (password: string, repeat = password) =>
      invitee.postForm(link, { _csrf: inputValue(form.body, '_csrf'), password, password_repeat: repeat });
    const short = await attempt('te kort');
    assert.equal(short.statusCode, 400);
    assert.deepEqual(errorSummary(short.body), ['Het wachtwoord is te kort. Gebruik minimaal 12 tekens.']);
    const breached = await attempt('QWERTY123456');
    assert.deepEqual(errorSummary(breached.body), [
      'Dit wachtwoord komt voor in lijsten van veelgebruikte, gelekte wachtwoorden. Kies een ander wachtwoord, bijvoorbeeld een zin van een paar woorden.',
    ]);
    assert.ok(!breached.body.includes('QWERTY123456'), 'the password is not echoed');
    const mismatch = await attempt(NEW_PASSWORD, `${NEW_PASSWORD}!`);
    assert.deepEqual(errorSummary(mismatch.body), [
      'De wachtwoorden zijn niet gelijk. Vul twee keer hetzelfde wachtwoord in.',
    ]);
    const tooLong = await attempt('x'.repeat(257));
    assert.deepEqual(errorSummary(tooLong.body), ['Het wachtwoord is te lang. Gebruik maximaal 256 tekens.']);
    assert.equal((await userByEmail(email)).password_hash, null, 'nothing set by a refused form');

    const signedIn = await acceptAndEnrol(link);
    const home = await signedIn.get('/beheer');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /U bent ingelogd als Bram, met de rol adviseur/);
    const user = await userByEmail(email);
    assert.ok(user.activated_at);
    assert.match(user.password_hash ?? '', /^\$argon2id\$/);
    const [activated] = await auditRows('staff.activated', user.id);
    assert.equal(activated?.actor_user_id, user.id);

    // The link worked once.
    const again = await new TestClient(t.app).get(link);
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /data-link-invalid/);
    // And the invitee now signs in like anyone else.
    const login = await logInWithPassword(new TestClient(t.app), email, NEW_PASSWORD);
    assert.equal(location(login), '/beheer/tweestaps');
  });

  it('prints the invitation on the console in embedded mode, and the printed link works', async () => {
    const email = 'console.coordinator@example.org';
    assert.equal((await invite({ display_name: 'Cor', email, role: 'coordinator' })).statusCode, 303);
    const outbox = consoleOutbox();
    const link = await deliverAndFindLink(outbox.transport, outbox.texts, 'uitnodiging');
    assert.match(outbox.texts().join(''), new RegExp(`To: ${email}`));
    const signedIn = await acceptAndEnrol(link);
    assert.match((await signedIn.get('/beheer')).body, /met de rol coördinator/);
  });

  it('shows one and the same page for an unknown, expired or malformed link', async () => {
    const email = 'verlopen@example.org';
    await invite({ display_name: 'Verlopen', email, role: 'advisor' });
    const outbox = consoleOutbox();
    const link = await deliverAndFindLink(outbox.transport, outbox.texts, 'uitnodiging');
    const user = await userByEmail(email);
    await db()
      .updateTable('staff_token')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    const title = (html: string) => /<h1[^>]*>([^<]*)</.exec(html)?.[1];
    const pages = await Promise.all(
      [
        link,
        `/beheer/uitnodiging/${'B'.repeat(43)}`,
        '/beheer/uitnodiging/x',
        '/beheer/wachtwoord-herstellen/x',
      ].map((url) => new TestClient(t.app).get(url)),
    );
    for (const page of pages) {
      assert.equal(page.statusCode, 404);
      assert.equal(title(page.body), 'Deze link werkt niet');
    }
    const posted = await new TestClient(t.app).postForm(link, {
      password: NEW_PASSWORD,
      password_repeat: NEW_PASSWORD,
    });
    assert.equal(posted.statusCode, 404);
    assert.equal((await userByEmail(email)).password_hash, null);
  });

  it('a new invitation makes the previous link stop working', async () => {
    const email = 'opnieuw@example.org';
    await invite({ display_name: 'Opnieuw', email, role: 'advisor' });
    const outbox = consoleOutbox();
    const first = await deliverAndFindLink(outbox.transport, outbox.texts, 'uitnodiging');
    const user = await userByEmail(email);
    const resent = await submit(
      admin.client,
      `/beheer/gebruikers/${user.id}`,
      `/beheer/gebruikers/${user.id}/uitnodiging`,
    );
    assert.equal(location(resent), `/beheer/gebruikers/${user.id}?gedaan=resent`);
    const second = await deliverAndFindLink(outbox.transport, outbox.texts, 'uitnodiging');
    assert.notEqual(first, second);
    assert.equal((await new TestClient(t.app).get(first)).statusCode, 404);
    assert.equal((await new TestClient(t.app).get(second)).statusCode, 200);
    assert.equal((await auditRows('staff.invite_resent', user.id)).length, 1);
  });

  it('a change of role or team ends every session of that user, so new rights need a new sign-in', async () => {
    const advisor = await signInAsStaff(t.app, 'advisor');
    const create = await submit(admin.client, '/beheer/teams', '/beheer/teams', { name: 'Team Oost' });
    assert.equal(location(create), '/beheer/teams?gedaan=team_created');
    const team = await db()
      .selectFrom('team')
      .selectAll()
      .where('name', '=', 'Team Oost')
      .executeTakeFirstOrThrow();

    assert.equal((await advisor.client.get('/beheer')).statusCode, 200);
    const changed = await submit(
      admin.client,
      `/beheer/gebruikers/${advisor.user.id}`,
      `/beheer/gebruikers/${advisor.user.id}/rol`,
      {
        role: 'coordinator',
        team: team.id,
      },
    );
    assert.equal(location(changed), `/beheer/gebruikers/${advisor.user.id}?gedaan=role_changed`);
    const user = await db()
      .selectFrom('staff_user')
      .selectAll()
      .where('id', '=', advisor.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(user.role, 'coordinator');
    assert.equal(user.team_id, team.id);
    const old = await advisor.client.get('/beheer');
    assert.equal(old.statusCode, 303, 'the old session is gone');
    assert.match(location(old), /\/beheer\/inloggen/);
    const [event] = await auditRows('staff.role_changed', advisor.user.id);
    assert.deepEqual(event?.details, {
      from: 'advisor',
      to: 'coordinator',
      team_changed: true,
      sessions_ended: 1,
    });
  });

  it('keeps at least one active administrator', async () => {
    const refused = await submit(
      admin.client,
      `/beheer/gebruikers/${admin.user.id}`,
      `/beheer/gebruikers/${admin.user.id}/rol`,
      {
        role: 'advisor',
      },
    );
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(errorSummary(refused.body), [
      'Dit is de laatste actieve beheerder. Maak eerst iemand anders beheerder.',
    ]);
    const own = await submit(
      admin.client,
      `/beheer/gebruikers/${admin.user.id}`,
      `/beheer/gebruikers/${admin.user.id}/blokkeren`,
    );
    assert.equal(own.statusCode, 409);
    const me = await db()
      .selectFrom('staff_user')
      .selectAll()
      .where('id', '=', admin.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(me.role, 'admin');
    assert.equal(me.disabled_at, null);
  });

  it('disabling ends the sessions and stops sign-in; enabling lets the user in again', async () => {
    const advisor = await signInAsStaff(t.app, 'advisor');
    const page = `/beheer/gebruikers/${advisor.user.id}`;
    assert.equal(location(await submit(admin.client, page, `${page}/blokkeren`)), `${page}?gedaan=disabled`);
    assert.equal((await advisor.client.get('/beheer')).statusCode, 303);
    const refused = await logInWithPassword(new TestClient(t.app), advisor.user.email, STAFF_PASSWORD);
    assert.equal(refused.statusCode, 400);
    assert.equal(location(await submit(admin.client, page, `${page}/activeren`)), `${page}?gedaan=enabled`);
    const login = await logInWithPassword(new TestClient(t.app), advisor.user.email, STAFF_PASSWORD);
    assert.equal(location(login), '/beheer/tweestaps');
    assert.equal((await auditRows('staff.disabled', advisor.user.id)).length, 1);
    assert.equal((await auditRows('staff.enabled', advisor.user.id)).length, 1);
  });

  it('unlocks an account locked after failed attempts (audited)', async () => {
    const user = await createStaffUser(t.app, 'advisor');
    const client = new TestClient(t.app);
    for (let i = 0; i < 10; i++) await logInWithPassword(client, user.email, 'verkeerd wachtwoord!');
    const locked = await db()
      .selectFrom('staff_user')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    assert.ok(locked.locked_at, 'locked after 10 failures');
    const list = await admin.client.get('/beheer/gebruikers');
    assert.match(list.body, new RegExp(`data-user-id="${user.id}" data-status="locked"`));
    const page = `/beheer/gebruikers/${user.id}`;
    assert.equal(
      location(await submit(admin.client, page, `${page}/deblokkeren`)),
      `${page}?gedaan=unlocked`,
    );
    const unlocked = await db()
      .selectFrom('staff_user')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    assert.equal(unlocked.locked_at, null);
    assert.equal(unlocked.failed_login_count, 0);
    assert.equal((await auditRows('staff.unlocked', user.id)).length, 1);
    const login = await logInWithPassword(new TestClient(t.app), user.email, STAFF_PASSWORD);
    assert.equal(location(login), '/beheer/tweestaps-instellen');
  });

  it('a reset link sets a new password, clears the lock and ends every session', async () => {
    const user = await signInAsStaff(t.app, 'advisor');
    await db()
      .updateTable('staff_user')
      .set({ locked_at: new Date(), failed_login_count: 10 })
      .where('id', '=', user.user.id)
      .execute();
    await createStaffSession(db(), user.user.id, 'full');
    const page = `/beheer/gebruikers/${user.user.id}`;
    assert.equal(
      location(await submit(admin.client, page, `${page}/herstellink`)),
      `${page}?gedaan=reset_sent`,
    );
    const token = await db()
      .selectFrom('staff_token')
      .selectAll()
      .where('user_id', '=', user.user.id)
      .where('purpose', '=', 'reset')
      .executeTakeFirstOrThrow();
    assert.equal(token.expires_at.getTime() - token.created_at.getTime(), 60 * 60 * 1000);
    const outbox = consoleOutbox();
    const link = await deliverAndFindLink(outbox.transport, outbox.texts, 'wachtwoord-herstellen');

    const browser = new TestClient(t.app);
    const done = await submit(browser, link, link, { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(location(done), '/beheer/wachtwoord-herstellen/klaar');
    assert.match((await browser.get(location(done))).body, /Uw wachtwoord is gewijzigd/);
    const after = await db()
      .selectFrom('staff_user')
      .selectAll()
      .where('id', '=', user.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.locked_at, null);
    assert.equal(after.failed_login_count, 0);
    const sessions = await db()
      .selectFrom('staff_session')
      .select('id_hash')
      .where('user_id', '=', user.user.id)
      .execute();
    assert.equal(sessions.length, 0);
    assert.equal(
      (await logInWithPassword(new TestClient(t.app), user.user.email, STAFF_PASSWORD)).statusCode,
      400,
    );
    assert.equal(
      location(await logInWithPassword(new TestClient(t.app), user.user.email, NEW_PASSWORD)),
      '/beheer/tweestaps',
    );
    assert.equal((await auditRows('staff.password_reset', user.user.id)).length, 1);
    assert.equal((await new TestClient(t.app).get(link)).statusCode, 404, 'used once');
  });

  it('creates and renames teams, refusing a name that exists', async () => {
    await submit(admin.client, '/beheer/teams', '/beheer/teams', { name: 'Team West' });
    const duplicate = await submit(admin.client, '/beheer/teams', '/beheer/teams', { name: 'team west' });
    assert.equal(duplicate.statusCode, 400);
    assert.deepEqual(errorSummary(duplicate.body), ['Er bestaat al een team met deze naam.']);
    const team = await db()
      .selectFrom('team')
      .selectAll()
      .where('name', '=', 'Team West')
      .executeTakeFirstOrThrow();
    const renamed = await submit(admin.client, `/beheer/teams/${team.id}`, `/beheer/teams/${team.id}`, {
      name: 'Team Hengelo',
    });
    assert.equal(location(renamed), '/beheer/teams?gedaan=team_renamed');
    assert.match((await admin.client.get('/beheer/teams')).body, /Team Hengelo/);
    assert.equal((await auditRows('team.renamed', team.id)).length, 1);
    const missing = await admin.client.get(`/beheer/teams/${randomUUID()}`);
    assert.equal(missing.statusCode, 404);
  });

  it('refuses coordinators and advisors on every user, team and audit route; sends visitors to sign in', async () => {
    const routes = registeredRoutes(t.app).filter(
      (route) =>
        /^(\/en)?\/beheer\/(gebruikers|teams|audit)(\/|$)/.test(route.url) &&
        ['GET', 'POST'].includes(route.method),
    );
    assert.ok(routes.length >= 20, `${routes.length} routes`);
    const coordinator = await signInAsStaff(t.app, 'coordinator');
    const advisor = await signInAsStaff(t.app, 'advisor');
    const concrete = (url: string) => url.replace(/:[^/]+/g, admin.user.id);
    for (const route of routes) {
      for (const who of [coordinator, advisor]) {
        const page = await who.client.get('/beheer');
        const response =
          route.method === 'GET'
            ? await who.client.get(concrete(route.url))
            : await who.client.postForm(concrete(route.url), { _csrf: inputValue(page.body, '_csrf') });
        assert.equal(response.statusCode, 403, `${route.method} ${route.url} as ${who.user.role}`);
      }
      const anonymous = new TestClient(t.app);
      const response =
        route.method === 'GET'
          ? await anonymous.get(concrete(route.url))
          : await anonymous.postForm(concrete(route.url), {});
      assert.equal(response.statusCode, 303, `${route.method} ${route.url} anonymously`);
      assert.match(location(response), /^(\/en)?\/beheer\/inloggen/);
    }
    const me = await db()
      .selectFrom('staff_user')
      .selectAll()
      .where('id', '=', admin.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(me.disabled_at, null, 'nothing happened to the account');
  });

  it('leaves the audit chain intact', async () => {
    const result = await verifyAuditChain(db());
    assert.equal(result.ok, true);
  });
});
