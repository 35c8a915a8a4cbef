import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { signInAsStaff, type SignedInStaff } from '../../test/staff.ts';
import { seedReport } from '../../test/reports.ts';
import type { Audience } from '../../db/schema.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { sendCentreReply } from '../intake/mailbox-service.ts';
import type { ReportForm } from '../intake/report-form.ts';
import { INBOX_PAGE_SIZE, REPORT_ENTITY } from './inbox-service.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

const createInboxTestApp = () =>
  createTestApp({
    configure: (config) => {
      config.throttles.intakeSubmission = { ...config.throttles.intakeSubmission, maxAttempts: 1000 };
    },
  });

const location = (response: LightMyRequestResponse) => String(response.headers.location);

/** Report ids in the order the inbox lists them. */
const listedIds = (html: string) => [...html.matchAll(/data-report-id="([^"]+)"/g)].map((m) => m[1] ?? '');

/** The row of one report in the inbox, as HTML. */
function rowOf(html: string, reportId: string): string {
  const row = new RegExp(`<tr[^>]*data-report-id="${reportId}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];
  assert.ok(row, `the inbox lists report ${reportId}`);
  return row;
}

function nextLink(html: string): string | undefined {
  const href = /<a[^>]*href="([^"]+)"[^>]*rel="next"/.exec(html)?.[1];
  return href?.replace(/&amp;/g, '&');
}

const dutchDate = (date: Date) =>
  new Intl.DateTimeFormat('nl-NL', { dateStyle: 'medium', timeZone: 'Europe/Amsterdam' }).format(date);

describe('the inbox: a report from the portal, read and answered by an advisor', () => {
  let t: TestApp;
  let advisor: SignedInStaff;
  let reportId = '';
  let receiptCode = '';

  const narrative = 'Mijn buurman <script>alert(1)</script> werkt 14 uur per dag in een kas.';
  const contactName = 'Anna <b>de</b> <script>x()</script>';
  const contactEmail = 'anna.geheim@example.org';
  const reporterMessage = 'Ik weet nu ook het adres van de kas.';
  const replyText = 'Dank voor uw melding. Wij nemen contact op, <i>vandaag</i> nog.';

  before(async () => {
    t = await createInboxTestApp();
    advisor = await signInAsStaff(t.app, 'advisor', { displayName: 'Ada Adviseur' });

    // The reporter, through the public form, with a photo.
    const reporter = new TestClient(t.app);
    const start = await reporter.get('/melden');
    const form = await reporter.postForm('/melden', {
      _csrf: inputValue(start.body, '_csrf'),
      acute_danger: 'yes',
    });
    const photo = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    const sent = await reporter.postMultipart(
      '/melden/versturen',
      {
        _csrf: inputValue(form.body, '_csrf'),
        submission_key: inputValue(form.body, 'submission_key'),
        acute_danger: inputValue(form.body, 'acute_danger'),
        audience: 'environment',
        exploitation_forms: ['labour', 'sexual'],
        municipality: 'GM0153',
        narrative,
        reply_channel: 'email',
        contact_name: contactName,
        contact_email: contactEmail,
        safe_contact_hints: 'Alleen na 18 uur',
        consent: 'yes',
      },
      [{ fileName: 'kas.jpg', data: photo, type: 'image/jpeg' }],
    );
    assert.equal(sent.statusCode, 303);
    const confirmation = await reporter.get('/melden/ontvangen');
    receiptCode = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1] ?? '';
    assert.ok(receiptCode);
    const row = await t.database.db
      .selectFrom('report')
      .select('id')
      .where('narrative', '=', narrative)
      .executeTakeFirstOrThrow();
    reportId = row.id;

    // The reporter adds a message before anyone at the centre has looked.
    const mailbox = await logInToMailbox(new TestClient(t.app), receiptCode);
    const page = await mailbox.get('/mijn-melding/berichten');
    const added = await mailbox.postMultipart('/mijn-melding/berichten', {
      _csrf: inputValue(page.body, '_csrf'),
      body: reporterMessage,
    });
    assert.equal(added.statusCode, 303);
  });
  after(() => t.close());

  async function logInToMailbox(client: TestClient, code: string) {
    const page = await client.get('/mijn-melding');
    const login = await client.postForm('/mijn-melding', { _csrf: inputValue(page.body, '_csrf'), code });
    assert.equal(login.statusCode, 303);
    return client;
  }

  const auditOf = (action: string) =>
    t.database.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', action)
      .where('entity_type', '=', REPORT_ENTITY)
      .where('entity_id', '=', reportId)
      .orderBy('seq')
      .execute();

  it('links the inbox from the back office home', async () => {
    const home = await advisor.client.get('/beheer');
    assert.match(
      home.body,
      /<a class="utrecht-link" href="\/beheer\/meldingen" data-inbox-link>Meldingen<\/a>/,
    );
  });

  it('lists the report with its facts, but no narrative and no contact data', async () => {
    const inbox = await advisor.client.get('/beheer/meldingen');
    assert.equal(inbox.statusCode, 200);
    assert.equal(inbox.headers['cache-control'], 'no-store');
    assert.equal(inbox.body.match(/<h1/g)?.length, 1);
    const row = rowOf(inbox.body, reportId);
    assert.match(row, new RegExp(`href="/beheer/meldingen/${reportId}"`));
    assert.match(row, /Omgeving \(familie, vriend, buur\)/);
    assert.match(row, /Arbeidsuitbuiting, Seksuele uitbuiting/);
    assert.match(row, /Enschede/);
    assert.match(row, /data-acute-danger>Acuut gevaar</);
    assert.match(row, /data-unread="1"/);
    assert.match(row, /<strong>1 ongelezen<\/strong>/);
    const received = await t.database.db
      .selectFrom('report')
      .select('received_at')
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.ok(row.includes(dutchDate(new Date(received.received_at.getTime() + 7 * DAY_MS))), 'deadline');
    assert.doesNotMatch(row, /data-overdue/);

    for (const secret of [
      'buurman',
      'alert(1)',
      'Anna',
      'anna.geheim',
      'Alleen na 18 uur',
      'adres van de kas',
    ]) {
      assert.ok(!inbox.body.includes(secret), `the list does not show "${secret}"`);
    }
    assert.equal((await auditOf('report.read')).length, 0, 'the list reads no report content');
  });

  it('shows the whole report, decrypted and escaped, marks the reporter’s message read, and audits the view', async () => {
    const page = await advisor.client.get(`/beheer/meldingen/${reportId}`);
    assert.equal(page.statusCode, 200);
    assert.equal(page.body.match(/<h1/g)?.length, 1);
    assert.ok(page.body.includes('Mijn buurman &lt;script>alert(1)&lt;/script> werkt 14 uur'), 'narrative');
    assert.ok(page.body.includes('Anna &lt;b>de&lt;/b> &lt;script>x()&lt;/script>'), 'contact name, as text');
    assert.ok(!page.body.includes('<script>alert(1)') && !page.body.includes('<b>de</b>'));
    assert.ok(page.body.includes(contactEmail), 'decrypted e-mail address');
    assert.ok(page.body.includes('Alleen na 18 uur'), 'safe-contact hints');
    assert.match(page.body, /Per e-mail/);
    assert.match(page.body, /1 bijlage/);
    assert.match(page.body, /image\/jpeg, 1 kB/);
    assert.ok(!page.body.includes('kas.jpg'), 'no file names');
    assert.ok(page.body.includes(reporterMessage));
    assert.match(page.body, /Van de melder, [^<]+ \(Nieuw\)/);
    assert.match(page.body, /<textarea[^>]*name="body"/);
    assert.ok(inputValue(page.body, '_csrf'));

    const message = await t.database.db
      .selectFrom('report_message')
      .select('read_by_staff_at')
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.ok(message.read_by_staff_at, 'the reporter’s message is read by staff');
    const reads = await auditOf('report.read');
    const [read] = reads;
    assert.ok(read && reads.length === 1);
    assert.equal(read.actor_user_id, advisor.user.id);
    assert.equal(read.actor_role, 'advisor');

    const inbox = await advisor.client.get('/beheer/meldingen');
    assert.match(rowOf(inbox.body, reportId), /data-unread="0"/);
    const again = await advisor.client.get(`/beheer/meldingen/${reportId}`);
    assert.doesNotMatch(again.body, /\(Nieuw\)/);
    assert.equal((await auditOf('report.read')).length, 2, 'every view is audited');

    const english = await advisor.client.get(`/en/beheer/meldingen/${reportId}`);
    assert.equal(english.statusCode, 200);
    assert.match(english.body, /<html lang="en"/);
    assert.match(english.body, /What the reporter wrote/);
    assert.equal((await auditOf('report.read')).length, 3);
  });

  it('refuses an empty, over-long or unauthenticated reply in Dutch, keeping the text', async () => {
    const page = await advisor.client.get(`/beheer/meldingen/${reportId}`);
    const csrf = inputValue(page.body, '_csrf');
    const path = `/beheer/meldingen/${reportId}/antwoord`;

    const empty = await advisor.client.postForm(path, { _csrf: csrf, body: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Schrijf een antwoord.']);
    assert.match(empty.body, /id="f-body-error"/);
    assert.match(empty.body, /<title>Fout: /);

    const long = `${'Lang antwoord. '.repeat(700)}einde`;
    assert.ok(long.length > 10_000);
    const tooLong = await advisor.client.postForm(path, { _csrf: csrf, body: long });
    assert.equal(tooLong.statusCode, 400);
    assert.deepEqual(errorSummary(tooLong.body), ['Dit is te lang. Gebruik maximaal 10000 tekens.']);
    assert.ok(tooLong.body.includes(`${long}</textarea>`), 'the text is kept');

    const noToken = await advisor.client.postForm(path, { body: replyText });
    assert.equal(noToken.statusCode, 403);
    assert.match(errorSummary(noToken.body)[0] ?? '', /Het formulier was verlopen/);
    assert.ok(noToken.body.includes('Wij nemen contact op, &lt;i>vandaag&lt;/i> nog.</textarea>'));

    const messages = await t.database.db
      .selectFrom('report_message')
      .select('direction')
      .where('report_id', '=', reportId)
      .execute();
    assert.deepEqual(
      messages.map((m) => m.direction),
      ['from_reporter'],
      'nothing was sent',
    );
    assert.equal((await auditOf('report.reply')).length, 0);
  });

  it('sends a reply the reporter reads in the mailbox, and audits it', async () => {
    const page = await advisor.client.get(`/beheer/meldingen/${reportId}`);
    const sent = await advisor.client.postForm(`/beheer/meldingen/${reportId}/antwoord`, {
      _csrf: inputValue(page.body, '_csrf'),
      body: replyText,
    });
    assert.equal(sent.statusCode, 303);
    assert.equal(location(sent), `/beheer/meldingen/${reportId}?verzonden`);
    const after = await advisor.client.get(location(sent));
    assert.match(after.body, /Uw antwoord is verstuurd/);
    assert.match(after.body, /Van het centrum \(Ada Adviseur\)/);
    assert.ok(after.body.includes('Wij nemen contact op, &lt;i>vandaag&lt;/i> nog.'));

    const stored = await t.database.db
      .selectFrom('report_message')
      .selectAll()
      .where('report_id', '=', reportId)
      .where('direction', '=', 'from_centre')
      .executeTakeFirstOrThrow();
    assert.equal(stored.body, replyText);
    assert.equal(stored.author_user_id, advisor.user.id);

    const reporter = await logInToMailbox(new TestClient(t.app), receiptCode);
    const mailbox = await reporter.get('/mijn-melding/berichten');
    assert.equal(mailbox.statusCode, 200);
    assert.ok(mailbox.body.includes('Wij nemen contact op, &lt;i>vandaag&lt;/i> nog.'));
    assert.ok(!mailbox.body.includes('Ada Adviseur'), 'the reporter does not see who answered');

    const replies = await auditOf('report.reply');
    const [replied] = replies;
    assert.ok(replied && replies.length === 1);
    assert.equal(replied.actor_user_id, advisor.user.id);
    assert.equal(replied.actor_role, 'advisor');
    assert.deepEqual(replied.details, { message: stored.id });
    const reads = await auditOf('report.read');
    assert.ok(reads.length >= 4 && reads.every((r) => r.actor_user_id === advisor.user.id));
    const everything = JSON.stringify(await t.database.db.selectFrom('audit_event').selectAll().execute());
    for (const content of ['buurman', 'Anna', contactEmail, 'vandaag', 'adres van de kas']) {
      assert.ok(!everything.includes(content), `no "${content}" in the audit log`);
    }
    assert.equal((await verifyAuditChain(t.database.db)).ok, true);

    const inbox = await advisor.client.get('/beheer/meldingen');
    assert.match(rowOf(inbox.body, reportId), /data-answered/);
  });

  it('logs no report content', () => {
    const logged = JSON.stringify(t.logLines);
    for (const content of ['buurman', 'Anna', contactEmail, 'vandaag', 'adres van de kas', reportId]) {
      assert.ok(!logged.includes(content), `no "${content}" in the log`);
    }
  });

  it('answers a malformed or unknown report with the 404 page, and records nothing', async () => {
    const before = await t.database.db.selectFrom('audit_event').select('seq').execute();
    const unknown = randomUUID();
    for (const path of [
      '/beheer/meldingen/niet-een-uuid',
      `/beheer/meldingen/${unknown}`,
      `/beheer/meldingen/${unknown.toUpperCase()}x`,
    ]) {
      const response = await advisor.client.get(path);
      assert.equal(response.statusCode, 404, path);
      assert.match(response.body, /Deze pagina bestaat niet/);
    }
    const page = await advisor.client.get('/beheer');
    for (const id of ['x', unknown]) {
      const response = await advisor.client.postForm(`/beheer/meldingen/${id}/antwoord`, {
        _csrf: inputValue(page.body, '_csrf'),
        body: 'Hallo',
      });
      assert.equal(response.statusCode, 404, id);
    }
    const afterwards = await t.database.db.selectFrom('audit_event').select('seq').execute();
    assert.equal(afterwards.length, before.length);
  });

  it('sends administrators a 403 and anonymous visitors to the login page', async () => {
    const admin = await signInAsStaff(t.app, 'admin');
    const home = await admin.client.get('/beheer');
    assert.doesNotMatch(home.body, /data-inbox-link/, 'no inbox link for administrators');
    for (const path of ['/beheer/meldingen', `/beheer/meldingen/${reportId}`, '/en/beheer/meldingen']) {
      const response = await admin.client.get(path);
      assert.equal(response.statusCode, 403, path);
      assert.ok(!response.body.includes('buurman'));
    }
    const post = await admin.client.postForm(`/beheer/meldingen/${reportId}/antwoord`, {
      _csrf: inputValue(home.body, '_csrf'),
      body: 'Van de beheerder',
    });
    assert.equal(post.statusCode, 403);

    const anonymous = new TestClient(t.app);
    assert.equal(location(await anonymous.get('/beheer/meldingen')), '/beheer/inloggen');
    assert.equal(location(await anonymous.get(`/beheer/meldingen/${reportId}`)), '/beheer/inloggen');
    assert.equal(location(await anonymous.get('/en/beheer/meldingen')), '/en/beheer/inloggen');

    const coordinator = await signInAsStaff(t.app, 'coordinator');
    assert.equal((await coordinator.client.get(`/beheer/meldingen/${reportId}`)).statusCode, 200);
    const reads = await auditOf('report.read');
    assert.equal(reads.at(-1)?.actor_user_id, coordinator.user.id);
    assert.ok(!reads.some((r) => r.actor_user_id === admin.user.id));
    assert.equal(
      (
        await t.database.db
          .selectFrom('report_message')
          .where('body', '=', 'Van de beheerder')
          .selectAll()
          .execute()
      ).length,
      0,
    );
  });

  it('marks a report overdue after seven days without a reply from the centre', async () => {
    const overdue = await seedReport(t, {}, new Date(Date.now() - 8 * DAY_MS));
    const recent = await seedReport(t, {}, new Date(Date.now() - 6 * DAY_MS));
    let inbox = await advisor.client.get('/beheer/meldingen');
    assert.match(rowOf(inbox.body, overdue), /data-overdue>Te laat</);
    assert.doesNotMatch(rowOf(inbox.body, recent), /data-overdue/);

    await sendCentreReply(t.database.db, t.config.secrets.encryptionKeys, {
      reportId: overdue,
      body: 'Ontvangen.',
      authorUserId: advisor.user.id,
    });
    inbox = await advisor.client.get('/beheer/meldingen');
    assert.doesNotMatch(rowOf(inbox.body, overdue), /data-overdue/);
    assert.match(rowOf(inbox.body, overdue), /data-answered>/);
  });
});

describe('the inbox: filters and pages', () => {
  let t: TestApp;
  let advisor: SignedInStaff;
  /** Every seeded report, in the inbox's default order (newest first, ties by id descending). */
  let newestFirst: {
    id: string;
    audience: Audience;
    forms: string[];
    municipality: string;
    danger: boolean;
  }[] = [];

  before(async () => {
    t = await createInboxTestApp();
    advisor = await signInAsStaff(t.app, 'advisor');
    const audienceCycle: Audience[] = ['self', 'environment', 'professional', 'perpetrator', 'other'];
    const formCycle = [['sexual'], ['labour'], ['criminal', 'sexual'], ['unknown']];
    const municipalityCycle = ['GM0153', 'GM0141', 'outside'];
    const base = Date.now() - 60 * 60 * 1000;
    const seeded = [];
    for (let i = 0; i < 32; i++) {
      const audience = audienceCycle[i % audienceCycle.length] ?? 'other';
      const forms = formCycle[i % formCycle.length] ?? ['unknown'];
      const municipality = municipalityCycle[i % municipalityCycle.length] ?? 'unknown';
      const danger = i % 7 === 0;
      // Reports 20 to 27 share one moment, so a page boundary falls inside a tie.
      const receivedAt = new Date(i >= 20 && i < 28 ? base - 20 * 60_000 : base - i * 60_000);
      const id = await seedReport(
        t,
        {
          audience,
          professional_org_type: audience === 'professional' ? 'care' : undefined,
          exploitation_forms: forms as ReportForm['exploitation_forms'],
          municipality,
          acute_danger: danger ? 'yes' : 'no',
        },
        receivedAt,
      );
      seeded.push({ id, audience, forms, municipality, danger, at: receivedAt.getTime() });
    }
    newestFirst = seeded.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  });
  after(() => t.close());

  /** Every page of the inbox from `url` on, following the "next" links. */
  async function allPages(url: string) {
    const pages: string[][] = [];
    let next: string | undefined = url;
    while (next) {
      const response = await advisor.client.get(next);
      assert.equal(response.statusCode, 200, next);
      pages.push(listedIds(response.body));
      next = nextLink(response.body);
      if (next) assert.match(next, /^\/(en\/)?beheer\/meldingen\?[a-z]+=[A-Za-z0-9_=&-]+$/, 'codes only');
      assert.ok(pages.length < 10);
    }
    return pages;
  }

  it('shows 25 reports a page, newest first, with a link to the next page', async () => {
    const pages = await allPages('/beheer/meldingen');
    assert.deepEqual(
      pages.map((p) => p.length),
      [INBOX_PAGE_SIZE, newestFirst.length - INBOX_PAGE_SIZE],
    );
    assert.deepEqual(
      pages.flat(),
      newestFirst.map((r) => r.id),
      'no report skipped or repeated',
    );
    const second = await advisor.client.get(
      nextLink((await advisor.client.get('/beheer/meldingen')).body) ?? '',
    );
    assert.match(second.body, /Terug naar de nieuwste meldingen/);
    assert.doesNotMatch(second.body, /rel="next"/);
  });

  it('puts acute danger first when asked, across pages', async () => {
    const pages = await allPages('/beheer/meldingen?volgorde=gevaar');
    const expected = [...newestFirst.filter((r) => r.danger), ...newestFirst.filter((r) => !r.danger)];
    assert.ok(expected.filter((r) => r.danger).length >= 4);
    assert.deepEqual(
      pages.flat(),
      expected.map((r) => r.id),
    );
    const first = await advisor.client.get('/beheer/meldingen?volgorde=gevaar');
    assert.match(nextLink(first.body) ?? '', /volgorde=gevaar/, 'the next page keeps the order');
  });

  it('filters by audience, form of exploitation and municipality, by code', async () => {
    const cases: [string, (r: (typeof newestFirst)[number]) => boolean][] = [
      ['doelgroep=self', (r) => r.audience === 'self'],
      ['vorm=sexual', (r) => r.forms.includes('sexual')],
      ['gemeente=GM0141', (r) => r.municipality === 'GM0141'],
      ['gemeente=outside', (r) => r.municipality === 'outside'],
      [
        'doelgroep=professional&vorm=sexual',
        (r) => r.audience === 'professional' && r.forms.includes('sexual'),
      ],
    ];
    for (const [query, matches] of cases) {
      const pages = await allPages(`/beheer/meldingen?${query}`);
      const expected = newestFirst.filter(matches).map((r) => r.id);
      assert.ok(expected.length > 0, query);
      assert.deepEqual(pages.flat(), expected, query);
    }
    const selected = await advisor.client.get('/beheer/meldingen?vorm=sexual&gemeente=GM0141');
    assert.match(selected.body, /<option value="sexual" selected>/);
    assert.match(selected.body, /<option value="GM0141" selected>/);
    const none = await advisor.client.get('/beheer/meldingen?doelgroep=self&gemeente=GM0141&vorm=organ');
    assert.match(none.body, /Er zijn geen meldingen die bij deze filters passen/);
  });

  it('ignores unknown filter values and a malformed page cursor', async () => {
    for (const query of [
      'doelgroep=%3Cscript%3E',
      'gemeente=GM9999',
      'vorm=1&vorm=2',
      'vanaf=1_2_x',
      'vanaf=abc',
    ]) {
      const response = await advisor.client.get(`/beheer/meldingen?${query}`);
      assert.equal(response.statusCode, 200, query);
      assert.deepEqual(
        listedIds(response.body),
        newestFirst.slice(0, INBOX_PAGE_SIZE).map((r) => r.id),
        query,
      );
      assert.ok(!response.body.includes('<script>'));
    }
  });

  it('works in English', async () => {
    const response = await advisor.client.get('/en/beheer/meldingen?gemeente=GM0153');
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /<html lang="en"/);
    assert.match(response.body, /<h1 class="utrecht-heading-1">Reports<\/h1>/);
    assert.match(response.body, /href="\/en\/beheer\/meldingen\/[0-9a-f-]{36}"/);
    assert.match(response.body, /Labour exploitation/);
  });
});
