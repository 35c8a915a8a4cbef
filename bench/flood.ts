/**
 * `npm run bench:flood`: does a flood of the public report form slow down anyone else? Starts the app
 * in a process of its own (PGlite in a fresh data dir, as `npm start` runs it), signs in a coordinator
 * with a session made in the database, and measures p50/p95 of a public page and a staff page at a
 * fixed rate, first alone and then while autocannon posts report forms to /melden/versturen from
 * many connections as fast as the app answers. The flood is what a script does: real forms (CSRF
 * cookie, token, submission key) fetched once from a few addresses and posted again and again without
 * the proof of work, so it meets the per-source limits and the no-JavaScript minimum age (429/400).
 * Appends or replaces its own section of docs/benchmarks.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../src/config/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { STAFF_COOKIE, createStaffSession } from '../src/features/auth/session-service.ts';
import { cookieName } from '../src/web/cookies.ts';
import { validReport } from '../src/test/fixtures.ts';
import { inputValue } from '../src/test/http-client.ts';
import { cpuSnapshot, otherLoad } from './cpu.ts';
import { Browser, encodeForm, inParallel, type PreparedRequest } from './forms.ts';
import { flood, paced, type Samples } from './load.ts';
import { ms, report } from './output.ts';
import { benchTempDir, cleanUpOnSignals, runBench } from './cleanup.ts';
import { appEnv, freePort, liveChildPids, startServer, stopServer, waitUntilReady } from './processes.ts';
import { machineDescription } from './record.ts';

const PUBLIC_PAGE = '/wat-is-mensenhandel';
const STAFF_PAGE = '/beheer/meldingen';
const REPORT_POST = '/melden/versturen';
const RATE = { public: 20, staff: 10, durationS: 10, warmupS: 2 };
const FLOOD = { connections: 50, sources: 5, formsPerSource: 4 };
const DOCS_FILE = new URL('../docs/benchmarks.md', import.meta.url).pathname;

cleanUpOnSignals();

const started = performance.now();
const step = (text: string) =>
  report(`• [${String(Math.round((performance.now() - started) / 1000)).padStart(4)} s] ${text}`);
const percentiles = (s: Samples) => `p50 ${ms(s.percentile(0.5))} · p95 ${ms(s.percentile(0.95))}`;

/** Migrates the fresh data dir and makes a coordinator with a full session; returns its cookie. */
async function prepareStaff(env: NodeJS.ProcessEnv): Promise<string> {
  const config = loadConfig(env);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database.db);
    const id = randomUUID();
    await database.db
      .insertInto('staff_user')
      .values({
        id,
        email: 'coordinator@bench.example',
        display_name: 'Bench',
        role: 'coordinator',
        password_hash: 'not-a-hash',
      })
      .execute();
    return `${cookieName(config, STAFF_COOKIE)}=${await createStaffSession(database.db, id, 'full')}`;
  } finally {
    await database.close();
  }
}

/** A report form fetched the way a script would, once, to post again and again from `address`. */
async function floodForm(base: string, browser: Browser, index: number): Promise<PreparedRequest> {
  const start = await browser.get('/melden');
  const form = await browser.postForm('/melden', {
    _csrf: inputValue(start.body, '_csrf'),
    acute_danger: 'no',
  });
  if (form.status !== 200) throw new Error(`POST /melden answered ${form.status}`);
  return {
    cookie: browser.cookieHeader,
    address: browser.address,
    body: encodeForm({
      _csrf: inputValue(form.body, '_csrf'),
      submission_key: inputValue(form.body, 'submission_key'),
      acute_danger: 'no',
      pow_challenge: inputValue(form.body, 'pow_challenge'),
      ...validReport,
      narrative: `${validReport.narrative} (flood ${index})`,
    }),
  };
}

async function measurePages(base: string, staffCookie: string, until?: Promise<unknown>) {
  const [publicSamples, staffSamples] = await Promise.all([
    paced({
      url: base,
      rate: RATE.public,
      durationS: RATE.durationS,
      request: () => ({ method: 'GET', path: PUBLIC_PAGE }),
    }),
    paced({
      url: base,
      rate: RATE.staff,
      durationS: RATE.durationS,
      headers: { cookie: staffCookie },
      request: () => ({ method: 'GET', path: STAFF_PAGE }),
      ...(until ? { until } : {}),
    }),
  ]);
  return { publicSamples, staffSamples };
}

function writeSection(lines: string[]): void {
  const section = ['<!-- bench:flood -->', ...lines, '<!-- /bench:flood -->'].join('\n');
  const existing = existsSync(DOCS_FILE) ? readFileSync(DOCS_FILE, 'utf8') : '';
  const marked = /<!-- bench:flood -->[\s\S]*?<!-- \/bench:flood -->/;
  const next = marked.test(existing)
    ? existing.replace(marked, section)
    : `${existing.replace(/\n*$/, '\n')}\n${section}\n`;
  writeFileSync(DOCS_FILE, next);
}

async function main(): Promise<void> {
  const dataDir = benchTempDir('baken-bench-flood-');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...appEnv({ dataDir, port, logLevel: 'warn' }),
    // The bench stands in for a reverse proxy, giving each flooding source an address (forms.ts).
    TRUST_PROXY: '127.0.0.1',
  };
  delete env.REDIS_URL;
  delete env.BAKEN_INTAKE_MIN_SECONDS;
  delete env.BAKEN_INTAKE_UNSOLVED_PER_HOUR;
  delete env.BAKEN_INTAKE_LIMIT_PER_HOUR;
  report('Baken flood benchmark — PGlite (embedded), fresh data dir');
  report(`Machine: ${machineDescription()}`);

  step('migrating and making a coordinator session');
  const staffCookie = await prepareStaff(env);
  step('starting the app');
  const app = startServer({ name: 'Baken', script: 'src/main.ts', env, port });
  const lines: string[] = [];
  try {
    await waitUntilReady(app);
    for (const path of [PUBLIC_PAGE, STAFF_PAGE]) {
      const status = (
        await fetch(`${app.url}${path}`, { headers: { cookie: staffCookie }, redirect: 'manual' })
      ).status;
      if (status !== 200) throw new Error(`GET ${path} answered ${status} before the run`);
    }
    step(`warm-up, then ${PUBLIC_PAGE} at ${RATE.public}/s and ${STAFF_PAGE} at ${RATE.staff}/s alone`);
    await paced({
      url: app.url,
      rate: RATE.public,
      durationS: RATE.warmupS,
      request: () => ({ method: 'GET', path: PUBLIC_PAGE }),
    });
    const cpuBefore = cpuSnapshot(liveChildPids());
    const alone = await measurePages(app.url, staffCookie);

    // Fetched just before the flood, as a script that does not wait would post them.
    step(`preparing ${FLOOD.sources * FLOOD.formsPerSource} forms from ${FLOOD.sources} addresses`);
    const browsers = Array.from({ length: FLOOD.sources }, () => new Browser(app.url));
    const forms = await inParallel(FLOOD.sources * FLOOD.formsPerSource, 4, (i) =>
      floodForm(app.url, browsers[i % FLOOD.sources] ?? new Browser(app.url), i),
    );

    step(`the same while ${FLOOD.connections} connections flood POST ${REPORT_POST}`);
    const floodRun = flood({
      url: app.url,
      connections: FLOOD.connections,
      durationS: RATE.durationS + 2 * RATE.warmupS,
      request: (i) => ({ method: 'POST', path: REPORT_POST, prepared: forms[i % forms.length] }),
    });
    await delay(RATE.warmupS * 1000);
    const during = await measurePages(app.url, staffCookie);
    const flooded = await floodRun;
    const load = otherLoad(cpuBefore, cpuSnapshot(liveChildPids()));

    const row = (name: string, a: Samples, b: Samples) =>
      `| ${name} | ${percentiles(a)} (${a.statusSummary()}) | ${percentiles(b)} (${b.statusSummary()}) |`;
    const floodRate = Math.round(flooded.count / flooded.wallSeconds);
    lines.push(
      '## Flood of the public report form',
      '',
      `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench:flood\` (\`bench/flood.ts\`, took ${Math.round((performance.now() - started) / 1000)} s).`,
      '',
      `- Machine: ${machineDescription()}; shared with other work during the run` +
        (load
          ? ` (other processes used ${(load.other * 100).toFixed(0)}% of the machine while measuring)`
          : '') +
        ', so the figures are rough.',
      '- Database: PGlite (embedded), in a fresh data dir; the app as `npm start` runs it (NODE_ENV=development, LOG_LEVEL=warn), default limits.',
      '',
      `| Page | Alone | During the flood |`,
      '| --- | --- | --- |',
      row(`GET ${PUBLIC_PAGE} (public, ${RATE.public}/s)`, alone.publicSamples, during.publicSamples),
      row(`GET ${STAFF_PAGE} (coordinator, ${RATE.staff}/s)`, alone.staffSamples, during.staffSamples),
      '',
      `- Flood: ${FLOOD.connections} connections posting ${forms.length} report forms (${FLOOD.sources} addresses × ${FLOOD.formsPerSource}, each with its CSRF cookie, token and submission key, no proof of work) to \`${REPORT_POST}\` in turn, as fast as the app answers, for ${RATE.durationS + 2 * RATE.warmupS} s: ${flooded.count} responses, ${floodRate} a second, ${flooded.statusSummary()}; ${flooded.errors} connection errors; its ${percentiles(flooded)}.`,
      '- What the flood meets: a form without a solved proof of work is refused (400, the form back) until 15 s after it was handed out; each source gets 30 attempts an hour in all and 10 reports without the proof of work (429 after that). A 303 is a report stored once per form (a form posted again returns the first report).',
      `- Pages: evenly spaced arrivals (one keep-alive connection per request a second), ${RATE.durationS} s each, after ${RATE.warmupS} s of warm-up; the staff page with a coordinator session made in the database (inbox, first page, on an almost empty database). The load generator runs in the bench process on the same cores as the app.`,
    );
  } finally {
    await stopServer(app);
  }
  for (const line of lines) report(line);
  writeSection(lines);
  step(`recorded in ${DOCS_FILE}`);
}

await runBench('flood bench', async () => {
  await main();
  return 0;
});
