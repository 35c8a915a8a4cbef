import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { createTestApp, testConfig, type TestApp } from '../../test/app.ts';
import { TestClient, inputValue } from '../../test/http-client.ts';
import { validReport } from '../../test/fixtures.ts';
import { seedReport } from '../../test/reports.ts';
import { createTestCase, staffWithSession } from '../../test/cases.ts';
import { INTAKE_DAYS, recordJobRun } from './metrics.ts';

const TOKEN = randomBytes(32).toString('base64url');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const DAY = 24 * 60 * 60 * 1000;

/** The calendar day in the centre's time zone, as the gauge labels it. */
const amsterdamDay = (date: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);

/** Every label value in an exposition text. */
const labelValues = (text: string) => [...text.matchAll(/[a-z_]+="([^"]*)"/g)].map((m) => m[1] ?? '');

const sampleValue = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('health, readiness and metrics', () => {
  let t: TestApp;
  const metrics = (authorization?: string) =>
    t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });

  before(async () => {
    t = await createTestApp({ env: { BAKEN_METRICS_TOKEN: TOKEN } });
  });
  after(() => t.close());

  it('answers /healthz with 200, never cached', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('answers /readyz with 200, and 503 with a short reason while a migration is missing', async () => {
    const ready = await t.app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.headers['cache-control'], 'no-store');
    const { db } = t.database;
    const last = await db
      .selectFrom('schema_migration' as never)
      .select(sql<string>`name`.as('name'))
      .orderBy(sql`name`, 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await sql`delete from schema_migration where name = ${last.name}`.execute(db);
    try {
      const missing = await t.app.inject({ url: '/readyz' });
      assert.equal(missing.statusCode, 503);
      assert.deepEqual(missing.json(), { status: 'unavailable', reason: 'migrations_pending' });
      assert.equal(missing.headers['cache-control'], 'no-store');
    } finally {
      await sql`insert into schema_migration (name) values (${last.name})`.execute(db);
    }
    assert.equal((await t.app.inject({ url: '/readyz' })).statusCode, 200);
  });

  it('answers /readyz requests that arrive together with one database check', async () => {
    const statements: string[] = [];
    const { db } = t.database;
    // Every statement, whatever builds it, runs through the executor.
    const getExecutor = db.getExecutor.bind(db);
    db.getExecutor = () => {
      const executor = getExecutor();
      return new Proxy(executor, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          // Bound to the executor itself: its methods use private fields a proxy does not have.
          if (property !== 'executeQuery') {
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          }
          return (query: { sql: string }, ...rest: unknown[]) => {
            statements.push(query.sql);
            return (target.executeQuery as (...args: unknown[]) => unknown).call(target, query, ...rest);
          };
        },
      });
    };
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => t.app.inject({ url: '/readyz' })));
      assert.ok(answers.every((answer) => answer.statusCode === 200));
    } finally {
      db.getExecutor = getExecutor;
    }
    assert.ok(
      statements.length <= 2 * 2 && statements.length > 0,
      `${statements.length} statements for 20 requests`,
    );
  });

  it('refuses /metrics without the right bearer token', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const response = await metrics(authorization);
      assert.equal(response.statusCode, 401, `authorization: ${authorization ?? 'none'}`);
      assert.doesNotMatch(response.body, /baken_/);
    }
    const allowed = await metrics(`Bearer ${TOKEN}`);
    assert.equal(allowed.statusCode, 200);
    assert.match(String(allowed.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  });

  it('labels requests by route pattern and status class, never by URL, id or typed text', async () => {
    const marker = `merk${randomBytes(4).toString('hex')}`;
    const reporter = new TestClient(t.app);
    const start = await reporter.get('/melden');
    const form = await reporter.postForm('/melden', {
      _csrf: inputValue(start.body, '_csrf'),
      acute_danger: 'no',
    });
    const submitted = await reporter.postMultipart('/melden/versturen', {
      _csrf: inputValue(form.body, '_csrf'),
      submission_key: inputValue(form.body, 'submission_key'),
      acute_danger: 'no',
      ...validReport,
      narrative: `${validReport.narrative} ${marker}`,
      contact_name: marker,
    });
    assert.equal(submitted.statusCode, 303);
    const { client } = await staffWithSession(t, 'coordinator');
    const theCase = await createTestCase(t);
    assert.equal((await client.get(`/beheer/casussen/${theCase.id}`)).statusCode, 200);
    assert.equal((await client.get(`/beheer/casussen/${randomUUID()}`)).statusCode, 404);
    assert.equal((await reporter.get(`/nergens/${marker}`)).statusCode, 404);

    const text = (await metrics(`Bearer ${TOKEN}`)).body;
    assert.match(
      text,
      /baken_http_request_duration_seconds_count\{method="GET",route="\/melden",status_class="2xx"\} 1/,
    );
    assert.match(text, /route="\/melden\/versturen",status_class="3xx"/);
    assert.match(text, /route="\/beheer\/casussen\/:id",status_class="2xx"/);
    assert.match(text, /route="\/beheer\/casussen\/:id",status_class="4xx"/);
    assert.match(text, /route="unmatched",status_class="4xx"/);
    assert.equal(sampleValue(text, 'baken_reports_received_total'), 1);
    assert.match(text, /baken_process_resident_memory_bytes \d+/, 'process metrics are included');
    for (const value of labelValues(text)) {
      assert.doesNotMatch(value, UUID, `a label holds an id: ${value}`);
      assert.ok(!value.includes(marker), `a label holds typed text: ${value}`);
    }
  });

  it('counts reports by calendar day for a bounded window, and mail waiting or failed', async () => {
    const now = new Date();
    await seedReport(t, {}, new Date(now.getTime() - 3 * DAY));
    await seedReport(t, {}, new Date(now.getTime() - 3 * DAY));
    await seedReport(t, {}, new Date(now.getTime() - (INTAKE_DAYS + 5) * DAY));
    await t.database.db
      .insertInto('mail_outbox')
      .values([
        { id: randomUUID(), kind: 'test', recipient: null, subject: 's', body: null },
        { id: randomUUID(), kind: 'test', recipient: null, subject: 's', body: null, failed_at: now },
      ])
      .execute();

    const text = (await metrics(`Bearer ${TOKEN}`)).body;
    const days = [...text.matchAll(/^baken_reports_by_day\{day="([\d-]+)"\} (\d+)$/gm)].map(
      (m) => [m[1] ?? '', Number(m[2])] as const,
    );
    assert.equal(days.length, INTAKE_DAYS, 'one series per day of the window, zeros included');
    const byDay = new Map(days);
    assert.equal(byDay.get(amsterdamDay(now)), 1, "today's report from the form");
    assert.equal(byDay.get(amsterdamDay(new Date(now.getTime() - 3 * DAY))), 2);
    assert.equal(byDay.get(amsterdamDay(new Date(now.getTime() - (INTAKE_DAYS + 5) * DAY))), undefined);
    assert.equal(sampleValue(text, 'baken_mail_queue{state="pending"}'), 1);
    assert.equal(sampleValue(text, 'baken_mail_queue{state="failed"}'), 1);
  });

  it('records job runs from the scheduler, with names from code only', async () => {
    recordJobRun(t.app.metrics, { name: 'retention', outcome: 'success', durationMs: 1200 });
    recordJobRun(t.app.metrics, { name: 'retention', outcome: 'failure', durationMs: 5 });
    recordJobRun(t.app.metrics, { name: `x"${randomUUID()}\n`, outcome: 'success', durationMs: 1 });
    const text = (await metrics(`Bearer ${TOKEN}`)).body;
    assert.equal(sampleValue(text, 'baken_job_runs_total{job="retention",outcome="success"}'), 1);
    assert.equal(sampleValue(text, 'baken_job_runs_total{job="retention",outcome="failure"}'), 1);
    assert.equal(sampleValue(text, 'baken_job_runs_total{job="other",outcome="success"}'), 1);
    assert.equal(sampleValue(text, 'baken_job_duration_seconds_sum{job="retention",outcome="success"}'), 1.2);
  });
});

describe('metrics configuration', () => {
  it('serves no /metrics on the public port without a token', async () => {
    const t = await createTestApp();
    try {
      assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 404);
    } finally {
      await t.close();
    }
  });

  it('refuses a short token, and a metrics listener beyond the host without one', () => {
    assert.throws(() => testConfig({ BAKEN_METRICS_TOKEN: 'kort' }), /at least 32 characters/);
    assert.throws(
      () => testConfig({ METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0' }),
      /needs BAKEN_METRICS_TOKEN/,
      'an open metrics listener beyond the host',
    );
    assert.equal(testConfig({ METRICS_PORT: '9100' }).metrics.host, '127.0.0.1');
  });

  it('serves /metrics on a separate listener when METRICS_PORT is set, and nothing else there', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const t = await createTestApp({ env: { METRICS_PORT: String(port) } });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /baken_http_request_duration_seconds/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 404);
      assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 404, 'not on the public port');
    } finally {
      await t.close();
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the listener closes with the app');
  });
});
