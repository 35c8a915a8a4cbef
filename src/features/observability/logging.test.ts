import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { createLogger } from '../../web/logging.ts';
import { jsonLineSink, testConfig } from '../../test/app.ts';
import { createTestDatabase } from '../../test/database.ts';
import { TestClient, inputValue } from '../../test/http-client.ts';
import { validReport } from '../../test/fixtures.ts';
import { openReportForm } from '../../test/intake-form.ts';
import { signInAsStaff, logInWithPassword } from '../../test/staff.ts';
import { createTestCase } from '../../test/cases.ts';
import type { TestApp } from '../../test/app.ts';

/**
 * A whole day's work through the app, with unique markers in everything a person types, and then the
 * log read back: none of it may be there, nor an address, user agent or cookie; every request line
 * carries its request id. The app is built here rather than with createTestApp so that one extra
 * route can make the database fail on a marked value, as a bug in a query would.
 */
const tag = randomBytes(4).toString('hex');
const marker = {
  narrative: `verhaalmerk${tag}`,
  name: `Naammerk${tag}`,
  email: `mailmerk${tag}@example.org`,
  phone: `06${String(Date.now()).slice(-8)}`,
  hints: `hintmerk${tag}`,
  staffEmail: `staffmerk${tag}@example.org`,
  staffName: `Medewerkermerk${tag}`,
  person: `Persoonmerk${tag}`,
  search: `zoekmerk${tag}`,
  dbValue: `dbmerk${tag}`,
  dbEmail: `dbmail${tag}@example.org`,
  password: `wachtwoordmerk ${tag} lang genoeg`,
  userAgent: `AgentMerk/${tag}`,
};
const PUBLIC_ADDRESS = '203.0.113.77';

describe('logs', () => {
  let app: FastifyInstance;
  let database: DatabaseHandle;
  let dataDir = '';
  const logLines: Record<string, unknown>[] = [];
  const seenCookies = new Set<string>();
  let receiptCode = '';

  before(async () => {
    const config = testConfig();
    dataDir = config.dataDir;
    for (const limits of [config.throttles.staffLogin, config.throttles.staffLoginAccount]) {
      limits.baseDelayMs = 0;
      limits.maxDelayMs = 0;
    }
    database = await createTestDatabase();
    const sink = jsonLineSink(logLines);
    app = await buildApp({ config, db: database.db, logger: createLogger('info', sink) });
    // A query that fails on a value someone typed: invalid input, then a unique key whose detail
    // repeats the value.
    app.get('/_test/db-error/:kind', async (request) => {
      const { kind } = request.params as { kind: string };
      if (kind === 'cast') await sql`select ${marker.dbValue}::int`.execute(database.db);
      await sql`insert into staff_user (id, email, display_name, role, password_hash)
        values (${randomUUID()}, ${marker.dbEmail}, ${marker.dbValue}, 'advisor', 'x')`.execute(database.db);
      await sql`insert into staff_user (id, email, display_name, role, password_hash)
        values (${randomUUID()}, ${marker.dbEmail}, ${marker.dbValue}, 'advisor', 'x')`.execute(database.db);
      return 'unreachable';
    });
    await app.ready();

    const t = { app, database, config, logLines } as unknown as TestApp;
    const keep = (client: TestClient) => {
      for (const value of client.cookies.values()) seenCookies.add(value);
    };

    // A reporter, from an address of their own: two reports (e-mail and phone), one refused form.
    const reporter = new TestClient(app);
    reporter.remoteAddress = PUBLIC_ADDRESS;
    const openForm = async () => (await openReportForm(reporter)).fields;
    const byMail = await reporter.postMultipart('/melden/versturen', {
      ...(await openForm()),
      ...validReport,
      narrative: `${validReport.narrative} ${marker.narrative}`,
      contact_name: marker.name,
      contact_email: marker.email,
    });
    assert.equal(byMail.statusCode, 303);
    const confirmation = await reporter.get('/melden/ontvangen');
    receiptCode = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1]?.replace(/ /g, '') ?? '';
    assert.ok(receiptCode, 'a receipt code was shown');
    keep(reporter);
    const byPhone = await reporter.postMultipart('/melden/versturen', {
      ...(await openForm()),
      ...validReport,
      narrative: `${validReport.narrative} ${marker.narrative}`,
      reply_channel: 'phone',
      contact_email: undefined,
      contact_phone: marker.phone,
      safe_contact_hints: marker.hints,
    });
    assert.equal(byPhone.statusCode, 303);
    const refused = await reporter.postMultipart('/melden/versturen', {
      ...(await openForm()),
      ...validReport,
      narrative: marker.narrative,
      contact_email: `not an address ${marker.email}`,
    });
    assert.equal(refused.statusCode, 400);
    keep(reporter);

    // Back with the receipt code: a wrong one first, then the right one.
    const returning = new TestClient(app);
    returning.remoteAddress = PUBLIC_ADDRESS;
    const loginPage = await returning.get('/mijn-melding');
    const wrong = await returning.postForm('/mijn-melding', {
      _csrf: inputValue(loginPage.body, '_csrf'),
      code: marker.phone.padEnd(16, '7'),
    });
    assert.equal(wrong.statusCode, 400);
    const again = await returning.get('/mijn-melding');
    const loggedIn = await returning.postForm('/mijn-melding', {
      _csrf: inputValue(again.body, '_csrf'),
      code: receiptCode,
    });
    assert.equal(loggedIn.statusCode, 303);
    assert.equal((await returning.get('/mijn-melding/berichten')).statusCode, 200);
    keep(returning);

    // Staff: a failed sign-in with a marked address and password, then a full sign-in.
    const stranger = new TestClient(app);
    assert.notEqual((await logInWithPassword(stranger, marker.staffEmail, marker.password)).statusCode, 303);
    const coordinator = await signInAsStaff(app, 'coordinator', {
      email: marker.staffEmail,
      displayName: marker.staffName,
    });
    keep(coordinator.client);

    // A case with a named person, and a search for a marked word.
    const theCase = await createTestCase(t);
    const base = `/beheer/casussen/${theCase.id}/personen`;
    const personForm = await coordinator.client.get(`${base}/nieuw`);
    assert.equal(personForm.statusCode, 200);
    const added = await coordinator.client.postForm(`${base}/nieuw`, {
      _csrf: inputValue(personForm.body, '_csrf'),
      role: 'presumed_victim',
      name: marker.person,
      contact: marker.phone,
      age: '19',
    });
    assert.equal(added.statusCode, 303);
    assert.equal((await coordinator.client.get(base)).statusCode, 200);
    const searchPage = await coordinator.client.get('/beheer/zoeken');
    const searched = await coordinator.client.postForm('/beheer/zoeken', {
      _csrf: inputValue(searchPage.body, '_csrf'),
      q: `${marker.person} ${marker.search}`,
    });
    assert.equal(searched.statusCode, 200);

    // Database errors on marked values, from a client with a marked user agent.
    for (const kind of ['cast', 'unique']) {
      const failed = await app.inject({
        url: `/_test/db-error/${kind}`,
        remoteAddress: PUBLIC_ADDRESS,
        headers: { 'user-agent': marker.userAgent, cookie: `probe=${marker.dbValue}` },
      });
      assert.equal(failed.statusCode, 500);
    }
  });

  after(async () => {
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const logText = () => logLines.map((line) => JSON.stringify(line)).join('\n');

  it('holds no personal field, form body, receipt code or search words', () => {
    const text = logText().toLowerCase();
    assert.ok(logLines.length >= 20, `the flow was logged (${logLines.length} lines)`);
    for (const [what, value] of Object.entries(marker)) {
      assert.ok(!text.includes(value.toLowerCase()), `${what} appears in the log`);
    }
    assert.ok(!text.includes(receiptCode), 'the receipt code appears in the log');
    assert.ok(!text.includes(marker.phone.slice(2)), 'part of the phone number appears in the log');
  });

  it('holds no IP address, user agent or cookie', () => {
    const text = logText();
    assert.doesNotMatch(text, /\b(?:\d{1,3}\.){3}\d{1,3}\b/, 'an IPv4 address');
    assert.doesNotMatch(text, /::ffff:|"::1"/, 'an IPv6 address');
    assert.doesNotMatch(text, /lightMyRequest|AgentMerk/i, 'a user agent');
    assert.doesNotMatch(text, /"(?:cookie|set-cookie|user-agent|headers|remoteAddress|ip|ips)"/i);
    assert.ok(seenCookies.size >= 3, 'the flow had cookies to leak');
    for (const value of seenCookies) assert.ok(!text.includes(value), 'a cookie value appears in the log');
  });

  it('gives every line a request id and every request a line with the route pattern', () => {
    const requestLines = logLines.filter((line) => line.msg === 'request');
    assert.ok(requestLines.length >= 20, `${requestLines.length} request lines`);
    for (const line of logLines) {
      assert.match(String(line.reqId), /^[0-9a-f-]{36}$/, `a line without request id: ${line.msg as string}`);
    }
    const routes = new Set(requestLines.map((line) => line.route));
    assert.ok(routes.has('/beheer/casussen/:id/personen/nieuw'), 'routes are logged as patterns');
    for (const route of routes)
      assert.doesNotMatch(String(route), /[0-9a-f]{8}-[0-9a-f]{4}-/, 'an id in a route');
  });

  it('logs database errors by kind and origin, without the values or the query', () => {
    const errors = logLines.filter((line) => line.msg === 'unhandled error');
    assert.equal(errors.length, 2);
    const [cast = {}, unique = {}] = errors.map((line) => line.err as Record<string, unknown>);
    assert.equal(cast.errorCode, '22P02');
    assert.match(String(cast.message), /^invalid input syntax for type integer/);
    assert.equal(unique.errorCode, '23505');
    assert.match(String(unique.message), /^duplicate key value violates unique constraint/);
    for (const err of [cast, unique]) {
      assert.match(String(err.stack), /\n\s+at /, 'the stack is kept');
      for (const field of ['detail', 'where', 'query', 'parameters', 'internalQuery', 'hint']) {
        assert.equal(err[field], undefined, `${field} is logged`);
      }
    }
  });
});

describe('the logger on its own', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const sink = jsonLineSink(lines);
    return { logger: createLogger('info', sink), lines };
  };

  it('redacts personal fields at the top level and one level down', () => {
    const { logger, lines } = capture();
    logger.info({
      email: marker.email,
      person: { name: marker.name, contact: marker.phone },
      q: marker.search,
    });
    const text = JSON.stringify(lines);
    for (const value of [marker.email, marker.name, marker.phone, marker.search]) {
      assert.ok(!text.includes(value), `${value} logged`);
    }
    assert.equal(lines[0]?.email, '[redacted]');
  });

  it('sanitises an error passed on its own, under err or under error', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error(`invalid input syntax for type uuid: "${marker.dbValue}"`), {
      detail: marker.dbEmail,
    });
    logger.error(error);
    logger.warn({ err: error }, 'failed');
    logger.warn({ error }, 'failed');
    assert.equal(lines.length, 3);
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(marker.dbValue) && !text.includes(marker.dbEmail), text);
    assert.match(text, /invalid input syntax for type uuid: \[value\]/);
  });
});
