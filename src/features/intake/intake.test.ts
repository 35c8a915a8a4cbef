import { after, before, beforeEach, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { TestClient, errorSummary, inputValue } from '../../test/http-client.ts';
import { validReport } from '../../test/fixtures.ts';
import {
  MAILBOX_IDLE_MS,
  openMailboxSession,
  removeExpiredMailboxSessions,
  resumeMailboxSession,
  sendCentreReply,
} from './mailbox-service.ts';

async function openReportForm(client: TestClient, danger: 'yes' | 'no' = 'no', prefix = '') {
  const start = await client.get(`${prefix}/melden`);
  assert.equal(start.statusCode, 200);
  const form = await client.postForm(`${prefix}/melden`, {
    _csrf: inputValue(start.body, '_csrf'),
    acute_danger: danger,
  });
  assert.equal(form.statusCode, 200);
  return {
    html: form.body,
    hidden: {
      _csrf: inputValue(form.body, '_csrf'),
      submission_key: inputValue(form.body, 'submission_key'),
      acute_danger: inputValue(form.body, 'acute_danger'),
    },
  };
}

async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SpyCam', Model: 'GPS-9000' } })
    .toBuffer();
}

async function submitValidReport(
  client: TestClient,
  overrides: Record<string, string | string[] | undefined> = {},
) {
  const { hidden } = await openReportForm(client);
  const response = await client.postMultipart(
    '/melden/versturen',
    { ...hidden, ...validReport, ...overrides },
    [{ fileName: 'bewijs.jpg', data: await jpegWithGps(), type: 'image/jpeg' }],
  );
  return { response, hidden };
}

function receiptCodeIn(html: string): string {
  const code = /data-receipt-code[^>]*>([\d ]+)</.exec(html)?.[1];
  assert.ok(code, 'the confirmation shows a code');
  return code;
}

/** Receipt-login throttling with tiny delays and a low ceiling, so tests can reach it quickly. */
const createIntakeTestApp = () =>
  createTestApp({
    configure: (config) => {
      config.throttles.receiptLogin = {
        maxAttempts: 4,
        slowAfter: 2,
        baseDelayMs: 1,
        maxDelayMs: 5,
        windowMs: 60_000,
      };
      config.throttles.intakeSubmission = { ...config.throttles.intakeSubmission, maxAttempts: 1000 };
    },
  });

describe('anonymous intake', () => {
  let t: TestApp;
  let client: TestClient;
  before(async () => {
    t = await createIntakeTestApp();
  });
  after(() => t.close());
  beforeEach(() => {
    client = new TestClient(t.app);
  });

  it('asks about acute danger first, and says to call 112 before anything else', async () => {
    const start = await client.get('/melden');
    assert.match(start.body, /Is iemand nu in direct gevaar\?/);
    const { html } = await openReportForm(client, 'yes');
    const alert = html.indexOf('Bel nu 112');
    assert.ok(alert > 0 && alert < html.indexOf('<h1'), 'the 112 alert precedes the form heading');
    assert.match(html, /href="tel:112"/);
    const calm = await openReportForm(client, 'no');
    assert.doesNotMatch(calm.html, /Bel nu 112/);
  });

  it('requires an answer to the danger question, with the error beside the field and in the summary', async () => {
    const start = await client.get('/melden');
    const response = await client.postForm('/melden', { _csrf: inputValue(start.body, '_csrf') });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Kies ja of nee.']);
    assert.match(response.body, /<title>Fout: /);
    assert.match(response.body, /id="f-acute_danger-error"/);
  });

  it('stores a report before confirming, and shows a 16-digit receipt code exactly once', async () => {
    const { response } = await submitValidReport(client);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/melden/ontvangen');
    const reports = await t.database.db.selectFrom('report').selectAll().execute();
    const report = reports.find((r) => r.narrative === validReport.narrative);
    assert.ok(report, 'the report is committed before the confirmation page is requested');
    assert.deepEqual(report.exploitation_forms, ['labour']);
    assert.equal(report.municipality, 'GM0153');
    assert.equal(report.reply_channel, 'email');

    const confirmation = await client.get('/melden/ontvangen');
    assert.equal(confirmation.statusCode, 200);
    assert.equal(confirmation.headers['cache-control'], 'no-store');
    const code = receiptCodeIn(confirmation.body);
    assert.match(code, /^\d{4} \d{4} \d{4} \d{4}$/);

    // The cookie that led to the code is gone, and the report itself refuses a second display.
    const again = await client.get('/melden/ontvangen');
    assert.doesNotMatch(again.body, /data-receipt-code/);
    assert.deepEqual(
      [...client.cookies.keys()].filter((name) => name.includes('receipt')),
      [],
    );
  });

  it('encrypts direct identifiers and never stores the receipt code, an IP address or a user agent', async () => {
    client.remoteAddress = '198.51.100.23';
    await submitValidReport(client, { narrative: 'Unieke tekst voor de opslagtest.' });
    const code = receiptCodeIn((await client.get('/melden/ontvangen')).body).replace(/ /g, '');
    const dump = JSON.stringify(
      await Promise.all(
        ['report', 'receipt', 'attachment', 'data_key'].map(
          async (table) => (await sql`select * from ${sql.table(table)}`.execute(t.database.db)).rows,
        ),
      ),
      (_key, value: unknown) =>
        value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
          ? Buffer.from((value as { data: number[] }).data).toString('latin1')
          : value,
    );
    for (const secret of ['anna.geheim@example.org', 'Anna', code, '198.51.100.23', 'bewijs.jpg', 'SpyCam']) {
      assert.ok(!dump.includes(secret), `database contains ${secret}`);
    }
    assert.ok(dump.includes('Unieke tekst voor de opslagtest.'), 'the narrative stays searchable');
  });

  it('keeps one report for a double-submitted form, and still shows its code', async () => {
    const { hidden } = await openReportForm(client);
    const narrative = 'Dubbel verstuurd formulier.';
    const post = () => client.postMultipart('/melden/versturen', { ...hidden, ...validReport, narrative });
    const [first, second] = await Promise.all([post(), post()]);
    assert.equal(first.statusCode, 303);
    assert.equal(second.statusCode, 303);
    const count = await t.database.db
      .selectFrom('report')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('narrative', '=', narrative)
      .executeTakeFirstOrThrow();
    assert.equal(count.n, 1);
    receiptCodeIn((await client.get('/melden/ontvangen')).body);
  });

  it('shows every problem in Dutch beside its field and in the summary, keeping what was typed', async () => {
    const { hidden } = await openReportForm(client);
    const response = await client.postMultipart('/melden/versturen', {
      ...hidden,
      audience: 'professional',
      narrative: 'Wat ik typte <b>blijft</b> staan.',
      reply_channel: 'email',
      contact_email: 'geen-adres',
      contact_name: 'Bert',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Kies bij wat voor organisatie u werkt.',
      "Kies waar het over gaat. Weet u het niet? Kies dan 'Weet ik niet'.",
      "Kies een gemeente, of 'Weet ik niet'.",
      'Vul een e-mailadres in zoals naam@voorbeeld.nl.',
      'Geef toestemming om uw melding te versturen.',
    ]);
    assert.match(response.body, /Wat ik typte &lt;b>blijft&lt;\/b> staan\./);
    assert.match(response.body, /value="geen-adres"/);
    assert.match(response.body, /value="Bert"/);
    assert.match(response.body, /value="professional"[^>]*checked/);
    assert.match(response.body, /id="f-contact_email-error"/);
    assert.match(response.body, /aria-invalid="true"/);
    assert.equal(inputValue(response.body, 'submission_key'), hidden.submission_key);
  });

  it('refuses an over-long narrative with the limit, keeping the text', async () => {
    const { hidden } = await openReportForm(client);
    const narrative = 'x'.repeat(t.config.intake.maxNarrativeChars + 1);
    const response = await client.postMultipart('/melden/versturen', {
      ...hidden,
      ...validReport,
      narrative,
    });
    assert.equal(response.statusCode, 400);
    assert.match(errorSummary(response.body)[0] ?? '', /maximaal 20\.?000 tekens/);
    assert.ok(response.body.includes(narrative));
  });

  it('re-shows the form with everything typed when the CSRF token is missing or expired', async () => {
    const { hidden } = await openReportForm(client);
    const response = await client.postMultipart('/melden/versturen', {
      ...hidden,
      _csrf: 'forged',
      ...validReport,
    });
    assert.equal(response.statusCode, 403);
    assert.match(errorSummary(response.body)[0] ?? '', /formulier was verlopen/);
    assert.ok(response.body.includes(validReport.narrative));
    const fresh = inputValue(response.body, '_csrf');
    assert.notEqual(fresh, 'forged');
    const retry = await client.postMultipart('/melden/versturen', {
      ...hidden,
      _csrf: fresh,
      submission_key: inputValue(response.body, 'submission_key'),
      ...validReport,
    });
    assert.equal(retry.statusCode, 303);
  });

  it('checks files by content and limits their number', async () => {
    const { hidden } = await openReportForm(client);
    const fake = await client.postMultipart('/melden/versturen', { ...hidden, ...validReport }, [
      {
        fileName: 'foto.jpg',
        data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        type: 'image/jpeg',
      },
    ]);
    assert.equal(fake.statusCode, 400);
    assert.match(errorSummary(fake.body)[0] ?? '', /foto\.jpg: dit soort bestand kunnen wij niet aannemen/);
    assert.match(errorSummary(fake.body)[0] ?? '', /Kies ze opnieuw/);

    const image = await jpegWithGps();
    const many = Array.from({ length: t.config.intake.maxFiles + 1 }, (_, i) => ({
      fileName: `f${i}.jpg`,
      data: image,
    }));
    const tooMany = await client.postMultipart('/melden/versturen', { ...hidden, ...validReport }, many);
    assert.equal(tooMany.statusCode, 400);
    assert.match(errorSummary(tooMany.body)[0] ?? '', /maximaal 5 bestanden/);
  });

  it('answers a body over the limit with a 413 page in the site layout', async () => {
    const start = await client.get('/melden');
    const response = await client.postForm('/melden', {
      _csrf: inputValue(start.body, '_csrf'),
      filler: 'x'.repeat(400_000),
    });
    assert.equal(response.statusCode, 413);
    assert.match(response.body, /Te veel of te grote bestanden/);
    assert.match(response.body, /Snel weg/);
    assert.doesNotMatch(response.body, /at \w+ \(/, 'no stack trace');
  });

  it('works in English under /en', async () => {
    const { hidden, html } = await openReportForm(client, 'no', '/en');
    assert.match(html, /<html lang="en"/);
    assert.match(html, /Who are you\?/);
    const response = await client.postMultipart('/en/melden/versturen', {
      ...hidden,
      narrative: 'Only this.',
    });
    assert.equal(response.statusCode, 400);
    assert.ok(errorSummary(response.body).includes('Choose who you are.'));
  });

  it('logs no form content, contact details or client addresses', async () => {
    client.remoteAddress = '192.0.2.77';
    await submitValidReport(client, { narrative: 'Logtest-verhaal' });
    const logs = JSON.stringify(t.logLines);
    for (const secret of ['Logtest-verhaal', 'anna.geheim@example.org', '192.0.2.77', 'bewijs.jpg']) {
      assert.ok(!logs.includes(secret), `log contains ${secret}`);
    }
  });
});

describe('receipt mailbox', () => {
  let t: TestApp;
  before(async () => {
    t = await createIntakeTestApp();
  });
  after(() => t.close());

  async function reportWithCode(client: TestClient, narrative: string) {
    await submitValidReport(client, { narrative });
    const code = receiptCodeIn((await client.get('/melden/ontvangen')).body);
    const report = await t.database.db
      .selectFrom('report')
      .select('id')
      .where('narrative', '=', narrative)
      .executeTakeFirstOrThrow();
    return { code, reportId: report.id };
  }

  async function logIn(client: TestClient, code: string) {
    const page = await client.get('/mijn-melding');
    return client.postForm('/mijn-melding', { _csrf: inputValue(page.body, '_csrf'), code });
  }

  it('lets the reporter read the centre reply, answer it with a file, and close with Clear-Site-Data', async () => {
    const reporter = new TestClient(t.app);
    const { code, reportId } = await reportWithCode(reporter, 'Verhaal voor de brievenbus.');
    await sendCentreReply(t.database.db, t.config.secrets.encryptionKeys, {
      reportId,
      authorUserId: null,
      body: 'Dank voor uw melding. Kunt u zeggen in welke plaats de kas staat?',
    });

    const later = new TestClient(t.app);
    const login = await logIn(later, code);
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/mijn-melding/berichten');
    const mailbox = await later.get('/mijn-melding/berichten');
    assert.equal(mailbox.statusCode, 200);
    assert.match(mailbox.body, /Verhaal voor de brievenbus\./);
    assert.match(mailbox.body, /in welke plaats de kas staat/);
    const read = await t.database.db
      .selectFrom('report_message')
      .select('read_by_reporter_at')
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    assert.ok(read.read_by_reporter_at, 'the reply is marked read');

    const answer = await later.postMultipart(
      '/mijn-melding/berichten',
      {
        _csrf: inputValue(mailbox.body, '_csrf'),
        body: 'In Enschede, bij <script>alert(1)</script> de snelweg.',
      },
      [{ fileName: 'kaart.jpg', data: await jpegWithGps() }],
    );
    assert.equal(answer.statusCode, 303);
    assert.equal(answer.headers.location, '/mijn-melding/berichten?verzonden');
    const after = await later.get(answer.headers.location);
    assert.match(after.body, /Uw bericht is verstuurd/);
    assert.match(after.body, /bij &lt;script>alert\(1\)&lt;\/script> de snelweg/);
    assert.match(after.body, /1 bijlage/);

    const close = await later.postForm('/mijn-melding/sluiten', { _csrf: inputValue(after.body, '_csrf') });
    assert.equal(close.statusCode, 303);
    assert.equal(close.headers['clear-site-data'], '"cache", "cookies", "storage"');
    const gone = await later.get('/mijn-melding/berichten');
    assert.equal(gone.statusCode, 303);
    assert.equal(gone.headers.location, '/mijn-melding');
  });

  it('answers a wrong or malformed code with one generic message', async () => {
    const client = new TestClient(t.app);
    client.remoteAddress = '203.0.113.50';
    const messages = new Set<string>();
    for (const guess of ['0000 0000 0000 0000', 'abc', '']) {
      const response = await logIn(client, guess);
      assert.equal(response.statusCode, 400);
      messages.add(errorSummary(response.body).join());
      assert.doesNotMatch(response.body, new RegExp(`value="${guess}"`), 'the code is not echoed');
    }
    assert.deepEqual(
      [...messages],
      ['Deze code kennen wij niet. Kijk de cijfers na en probeer het opnieuw.'],
    );
  });

  it('slows and then refuses repeated failures from one source, but not from others', async () => {
    const attacker = new TestClient(t.app);
    attacker.remoteAddress = '203.0.113.99';
    for (let i = 0; i < 4; i++) assert.equal((await logIn(attacker, '1111222233334444')).statusCode, 400);
    const refused = await logIn(attacker, '1111222233334444');
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Even wachten/);

    const reporter = new TestClient(t.app);
    reporter.remoteAddress = '203.0.113.100';
    const { code } = await reportWithCode(reporter, 'Andere bron.');
    assert.equal((await logIn(reporter, code)).statusCode, 303);
  });

  it('accepts the code with or without spaces and dashes', async () => {
    const reporter = new TestClient(t.app);
    reporter.remoteAddress = '203.0.113.101';
    const { code } = await reportWithCode(reporter, 'Spaties in de code.');
    const digits = code.replace(/ /g, '');
    assert.equal((await logIn(new TestClient(t.app), digits)).statusCode, 303);
    assert.equal(
      (await logIn(new TestClient(t.app), digits.replace(/(\d{4})(?=\d)/g, '$1-'))).statusCode,
      303,
    );
  });
});

describe('mailbox sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('expire after inactivity and are removed by housekeeping', async () => {
    const client = new TestClient(t.app);
    await submitValidReport(client, { narrative: 'Sessie verloopt.' });
    const report = await t.database.db
      .selectFrom('report')
      .select('id')
      .where('narrative', '=', 'Sessie verloopt.')
      .executeTakeFirstOrThrow();
    const live = await openMailboxSession(t.database.db, report.id);
    const stale = await openMailboxSession(t.database.db, report.id);
    const staleHash = createHash('sha256').update(stale).digest('hex');
    await t.database.db
      .updateTable('mailbox_session')
      .set({ last_seen_at: new Date(Date.now() - MAILBOX_IDLE_MS - 1000) })
      .where('id_hash', '=', staleHash)
      .execute();
    assert.equal(await removeExpiredMailboxSessions(t.database.db), 1);
    assert.equal(await resumeMailboxSession(t.database.db, live), report.id);
    assert.equal(await resumeMailboxSession(t.database.db, stale), undefined);
  });
});

describe('abuse resistance', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      configure: (config) => {
        config.throttles.receiptLogin = {
          maxAttempts: 4,
          slowAfter: 10,
          baseDelayMs: 1,
          maxDelayMs: 5,
          windowMs: 60_000,
        };
        config.throttles.intakeSubmission = { ...config.throttles.intakeSubmission, maxAttempts: 2 };
      },
    });
  });
  after(() => t.close());

  it('limits reports per source, keeping what was typed', async () => {
    const client = new TestClient(t.app);
    client.remoteAddress = '192.0.2.10';
    assert.equal((await submitValidReport(client, { narrative: 'Eerste.' })).response.statusCode, 303);
    assert.equal((await submitValidReport(client, { narrative: 'Tweede.' })).response.statusCode, 303);
    const third = await submitValidReport(client, { narrative: 'Derde, nog bewaard.' });
    assert.equal(third.response.statusCode, 429);
    assert.match(errorSummary(third.response.body)[0] ?? '', /veel berichten verstuurd/);
    assert.match(third.response.body, /Derde, nog bewaard\./);
    const other = new TestClient(t.app);
    other.remoteAddress = '192.0.2.11';
    assert.equal((await submitValidReport(other, { narrative: 'Andere bron.' })).response.statusCode, 303);
  });

  it('counts receipt guesses as they arrive, so a burst cannot slip past the limit', async () => {
    const client = new TestClient(t.app);
    client.remoteAddress = '192.0.2.20';
    const page = await client.get('/mijn-melding');
    const csrf = inputValue(page.body, '_csrf');
    const burst = await Promise.all(
      Array.from({ length: 12 }, () =>
        client.postForm('/mijn-melding', { _csrf: csrf, code: '9999 8888 7777 6666' }),
      ),
    );
    assert.equal(burst.filter((r) => r.statusCode === 400).length, 4);
    assert.equal(burst.filter((r) => r.statusCode === 429).length, 8);
  });

  it('removes NUL characters instead of losing the report', async () => {
    const client = new TestClient(t.app);
    client.remoteAddress = '192.0.2.30';
    const { response } = await submitValidReport(client, { narrative: 'Geplakt\u0000 uit een PDF.' });
    assert.equal(response.statusCode, 303);
    const stored = await t.database.db
      .selectFrom('report')
      .select('narrative')
      .where('narrative', '=', 'Geplakt uit een PDF.')
      .executeTakeFirst();
    assert.ok(stored);
  });

  it('answers a malformed upload with a 400 page, not a server error', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/melden/versturen',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="narrative"\r\n\r\nhalf',
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Dit verzoek klopt niet/);
  });

  it('closes the mailbox even with an expired form, and keeps a message written after the session ran out', async () => {
    const reporter = new TestClient(t.app);
    reporter.remoteAddress = '192.0.2.40';
    await submitValidReport(reporter, { narrative: 'Brievenbus verloopt.' });
    const code = receiptCodeIn((await reporter.get('/melden/ontvangen')).body);
    const login = await reporter.get('/mijn-melding');
    await reporter.postForm('/mijn-melding', { _csrf: inputValue(login.body, '_csrf'), code });
    const mailbox = await reporter.get('/mijn-melding/berichten');
    const csrf = inputValue(mailbox.body, '_csrf');

    // The session ends on the server while the reporter is still typing.
    await t.database.db.deleteFrom('mailbox_session').execute();
    const late = await reporter.postMultipart('/mijn-melding/berichten', {
      _csrf: csrf,
      body: 'Lang over nagedacht.',
    });
    assert.equal(late.statusCode, 401);
    assert.equal(inputValue(late.body, 'pending_body'), 'Lang over nagedacht.');
    const again = await reporter.postForm('/mijn-melding', {
      _csrf: inputValue(late.body, '_csrf'),
      code,
      pending_body: 'Lang over nagedacht.',
    });
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /<textarea[^>]*>Lang over nagedacht\.<\/textarea>/);

    const close = await reporter.postForm('/mijn-melding/sluiten', { _csrf: 'expired' });
    assert.equal(close.statusCode, 303);
    assert.equal(close.headers['clear-site-data'], '"cache", "cookies", "storage"');
    assert.equal((await reporter.get('/mijn-melding/berichten')).statusCode, 303);
  });
});
