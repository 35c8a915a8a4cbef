/**
 * `npm run bench:soak`: a long run of mixed traffic at a fixed rate against the app in a child process,
 * to find what short benches miss: slow leaks, errors that only come after thousands of requests, and
 * a log that fills with errors. Seeds a small synthetic database (src/features/search/seed.ts), signs
 * in a coordinator with a session made in the database, then for BENCH_SOAK_SECONDS (default 600):
 *
 * - autocannon at BENCH_SOAK_RATE requests a second (default 20) over public pages (home, contact,
 *   the report form, the receipt login, English pages, /healthz, /readyz) and back-office pages (home,
 *   inbox, a case page, a POSTed search) with the coordinator's session;
 * - a reporter every BENCH_SOAK_REPORT_EVERY_MS (default 3000 ms) going through the report form as a
 *   browser would (fresh CSRF cookie and token and submission key, an address of its own through
 *   X-Forwarded-For), and every third one logging in with the receipt code it was given;
 * - a Prometheus scrape of /metrics (with the bearer token) and a sample of the app's resident memory
 *   (VmRSS from /proc) every 10 s.
 *
 * Fails (exit 1) on any 5xx or failed request, any log line of level error or worse, a /metrics or
 * readiness check that is not 200, or resident memory at the end more than BENCH_SOAK_RSS_TOLERANCE
 * (default 0.15, i.e. 15%) above the level after BENCH_SOAK_WARMUP_SECONDS (default 120; memory is
 * judged only on runs at least 180 s longer than that). A full-length run (≥ 600 s) records its
 * figures in docs/benchmarks.md (a "Soak" section per database); shorter runs only print them.
 * With DATABASE_URL set, runs on PostgreSQL in a database of its own (created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/pbkdf2';
import { loadConfig } from '../src/config/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { STAFF_COOKIE, createStaffSession } from '../src/features/auth/session-service.ts';
import { seedDatabase } from '../src/features/search/seed.ts';
import { CHALLENGE_FIELD, SOLUTION_FIELD } from '../src/features/intake/proof-of-work.ts';
import { cookieName } from '../src/web/cookies.ts';
import { validReport } from '../src/test/fixtures.ts';
import { inputValue } from '../src/test/http-client.ts';
import { cpuSnapshot, otherLoad } from './cpu.ts';
import { Browser, SEARCH_PATH, searchForm, type HttpResult } from './forms.ts';
import { mb, ms, report, table } from './output.ts';
import { benchDatabaseOn, benchTempDir, cleanUpOnSignals, runBench } from './cleanup.ts';
import {
  appEnv,
  freePort,
  liveChildPids,
  processMemory,
  startServer,
  stopServer,
  waitUntilReady,
  type ServerProcess,
} from './processes.ts';
import { machineDescription } from './record.ts';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number: ${raw}`);
  return value;
}

const DURATION_S = Math.round(numberFromEnv('BENCH_SOAK_SECONDS', 600));
const RATE = Math.round(numberFromEnv('BENCH_SOAK_RATE', 20));
const REPORT_EVERY_MS = numberFromEnv('BENCH_SOAK_REPORT_EVERY_MS', 3000);
const RSS_TOLERANCE = numberFromEnv('BENCH_SOAK_RSS_TOLERANCE', 0.15);
const SEED_CASES = Math.round(numberFromEnv('BENCH_SOAK_CASES', 1000));
const SAMPLE_EVERY_MS = 10_000;
/** Memory is compared from the end of warm-up (caches, JIT and the database's buffers filled). */
const WARMUP_S = Math.round(numberFromEnv('BENCH_SOAK_WARMUP_SECONDS', 120));
/**
 * Memory is only judged with at least this long after warm-up: the app's resident memory rises for
 * the first minute or two (V8's heap and code, malloc arenas of the thread pool, PGlite's WebAssembly
 * memory, which never shrinks) and then levels off, so a shorter run would judge the warm-up.
 */
const MEMORY_JUDGED_AFTER_S = 180;
const judgeMemory = DURATION_S >= WARMUP_S + MEMORY_JUDGED_AFTER_S;
/** Median of this many samples at each end, so one GC-timed sample does not decide. */
const WINDOW_SAMPLES = 3;
const CONNECTIONS = 8;
const RECORD_MIN_S = 600;
const DOCS_FILE = new URL('../docs/benchmarks.md', import.meta.url).pathname;

cleanUpOnSignals();

const benchStart = performance.now();
const elapsedS = () => Math.round((performance.now() - benchStart) / 1000);
const step = (text: string) => report(`• [${String(elapsedS()).padStart(4)} s] ${text}`);

/** Every status seen, by source; 5xx and transport errors fail the run. */
class Tally {
  readonly statuses = new Map<number, number>();
  errors = 0;
  readonly firstProblems: string[] = [];

  record(status: number, what: string): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status >= 500) this.problem(`${what} answered ${status}`);
  }

  problem(text: string): void {
    if (this.firstProblems.length < 10) this.firstProblems.push(text);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.statuses.values()) sum += count;
    return sum;
  }

  get serverErrors(): number {
    let sum = 0;
    for (const [status, count] of this.statuses) if (status >= 500) sum += count;
    return sum;
  }

  summary(): string {
    return [...this.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ');
  }
}

/** Reads the child's JSON log lines as they come: counts by level, and the first error lines. */
class LogWatch {
  readonly byLevel = new Map<number, number>();
  readonly errorLines: string[] = [];
  lines = 0;
  #pending = '';

  attach(server: ServerProcess): void {
    server.child.stdout?.on('data', (chunk: string | Buffer) => this.#take(chunk.toString()));
    server.child.stderr?.on('data', (chunk: string | Buffer) => {
      // Anything on stderr is unexpected from a pino-logging app: count it as an error line.
      for (const line of chunk.toString().split('\n').filter(Boolean)) this.#error(`stderr: ${line}`);
    });
  }

  #take(chunk: string): void {
    this.#pending += chunk;
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      this.lines++;
      let level = 0;
      try {
        const parsed = JSON.parse(line) as { level?: unknown };
        level = typeof parsed.level === 'number' ? parsed.level : 0;
      } catch {
        continue;
      }
      this.byLevel.set(level, (this.byLevel.get(level) ?? 0) + 1);
      if (level >= 50) this.#error(line);
    }
  }

  #error(line: string): void {
    this.byLevel.set(50, (this.byLevel.get(50) ?? 0) + (line.startsWith('stderr') ? 1 : 0));
    if (this.errorLines.length < 10) this.errorLines.push(line.slice(0, 600));
  }

  count(atLeast: number): number {
    let sum = 0;
    for (const [level, count] of this.byLevel) if (level >= atLeast) sum += count;
    return sum;
  }
}

interface Prepared {
  coordinatorCookie: string;
  caseId: string;
  counts: Record<string, number>;
  seedSeconds: number;
}

async function prepare(env: NodeJS.ProcessEnv): Promise<Prepared> {
  const config = loadConfig(env);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { db } = database;
    await migrate(db);
    const seeded = await seedDatabase(db, config.secrets.encryptionKeys, {
      cases: SEED_CASES,
      notesPerCase: 3,
    });
    const coordinator = seeded.staff.find((s) => s.role === 'coordinator');
    if (!coordinator) throw new Error('the seed made no coordinator');
    const someCase = await db
      .selectFrom('case_file')
      .select('id')
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const name = cookieName(config, STAFF_COOKIE);
    return {
      coordinatorCookie: `${name}=${await createStaffSession(db, coordinator.id, 'full')}`,
      caseId: someCase.id,
      counts: seeded.counts,
      seedSeconds: seeded.seconds,
    };
  } finally {
    await database.close();
  }
}

interface Target {
  path: string;
  method: 'GET' | 'POST';
  /** Share of the mix, in requests per round. */
  weight: number;
  cookie?: string;
  body?: string;
}

function targetsFor(prepared: Prepared, search: { cookie: string; body: string }): Target[] {
  const staff = prepared.coordinatorCookie;
  return [
    { path: '/', method: 'GET', weight: 4 },
    { path: '/en', method: 'GET', weight: 1 },
    { path: '/contact', method: 'GET', weight: 1 },
    { path: '/melden', method: 'GET', weight: 3 },
    { path: '/en/melden', method: 'GET', weight: 1 },
    { path: '/mijn-melding', method: 'GET', weight: 2 },
    { path: '/healthz', method: 'GET', weight: 1 },
    { path: '/readyz', method: 'GET', weight: 1 },
    { path: '/beheer', method: 'GET', weight: 1, cookie: staff },
    { path: '/beheer/meldingen', method: 'GET', weight: 2, cookie: staff },
    { path: `/beheer/casussen/${prepared.caseId}`, method: 'GET', weight: 2, cookie: staff },
    { path: SEARCH_PATH, method: 'POST', weight: 1, cookie: search.cookie, body: search.body },
  ];
}

/** The mix as autocannon sends it: one long run at a fixed overall rate, requests in rotation. */
function runMix(url: string, targets: Target[], tally: Tally, until: Promise<void>) {
  const rotation = targets.flatMap((target) => Array.from({ length: target.weight }, () => target));
  let next = 0;
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const target = rotation[next++ % rotation.length] ?? rotation[0];
    if (!target) return request;
    return {
      ...request,
      method: target.method,
      path: target.path,
      ...(target.body ? { body: target.body } : {}),
      headers: {
        ...request.headers,
        ...(target.cookie ? { cookie: target.cookie } : {}),
        ...(target.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    };
  };
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url,
      connections: CONNECTIONS,
      overallRate: RATE,
      duration: DURATION_S,
      timeout: 30,
      requests: [{ setupRequest }],
    },
    (error: unknown, result: autocannon.Result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (client, status) => {
    const path = (client as unknown as { requestIterator?: { currentRequest?: { path?: string } } })
      .requestIterator?.currentRequest?.path;
    tally.record(status, path ?? 'a request');
  });
  void until.then(() => instance.stop());
  return done;
}

function expect(tally: Tally, result: HttpResult, status: number, what: string): boolean {
  tally.record(result.status, what);
  if (result.status !== status) {
    tally.problem(`${what}: expected ${status}, got ${result.status}`);
    return false;
  }
  return true;
}

/**
 * What the form's script does (public/js/intake-pow.js): find the counter of the form's challenge.
 * Solved here, in the bench's process, so the app does only what it does for a browser with JavaScript.
 */
async function proofOfWork(html: string): Promise<Record<string, string>> {
  if (!html.includes(`name="${CHALLENGE_FIELD}"`)) return {};
  const encoded = inputValue(html, CHALLENGE_FIELD);
  const challenge = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey: pbkdf2 });
  if (!solution) throw new Error('the proof-of-work challenge could not be solved');
  return { [CHALLENGE_FIELD]: encoded, [SOLUTION_FIELD]: `${solution.counter}:${solution.derivedKey}` };
}

/** One reporter: the danger question, the form, the confirmation; sometimes back with the code. */
async function reporterFlow(base: string, index: number, tally: Tally): Promise<boolean> {
  const browser = new Browser(base);
  const start = await browser.get('/melden');
  if (!expect(tally, start, 200, 'GET /melden')) return false;
  const form = await browser.postForm('/melden', {
    _csrf: inputValue(start.body, '_csrf'),
    acute_danger: 'no',
  });
  if (!expect(tally, form, 200, 'POST /melden')) return false;
  const submitted = await browser.postForm('/melden/versturen', {
    ...(await proofOfWork(form.body)),
    _csrf: inputValue(form.body, '_csrf'),
    submission_key: inputValue(form.body, 'submission_key'),
    acute_danger: inputValue(form.body, 'acute_danger'),
    ...validReport,
    narrative: `${validReport.narrative} (soak ${index})`,
  });
  if (!expect(tally, submitted, 303, 'POST /melden/versturen')) return false;
  const confirmation = await browser.get(submitted.location ?? '/melden/ontvangen');
  if (!expect(tally, confirmation, 200, 'GET /melden/ontvangen')) return false;
  if (index % 3 !== 0) return true;
  const code = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1];
  if (!code) {
    tally.problem('the confirmation page showed no receipt code');
    return false;
  }
  const reporter = new Browser(base);
  const login = await reporter.get('/mijn-melding');
  if (!expect(tally, login, 200, 'GET /mijn-melding')) return false;
  const loggedIn = await reporter.postForm('/mijn-melding', { _csrf: inputValue(login.body, '_csrf'), code });
  if (!expect(tally, loggedIn, 303, 'POST /mijn-melding')) return false;
  const mailbox = await reporter.get(loggedIn.location ?? '/mijn-melding/berichten');
  return expect(tally, mailbox, 200, 'GET /mijn-melding/berichten');
}

async function runReporters(base: string, tally: Tally, until: Promise<void>) {
  const state = { stopped: false };
  void until.then(() => (state.stopped = true));
  const isStopped = () => state.stopped;
  let started = 0;
  let completed = 0;
  while (!isStopped()) {
    const began = performance.now();
    const index = started++;
    try {
      if (await reporterFlow(base, index, tally)) completed++;
    } catch (error) {
      tally.errors++;
      tally.problem(`reporter ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const wait = REPORT_EVERY_MS - (performance.now() - began);
    if (wait > 0 && !isStopped()) await Promise.race([delay(wait), until]);
  }
  return { started, completed };
}

interface Sample {
  atS: number;
  rssBytes: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** Least-squares slope of RSS over time, in bytes a minute. */
function slopePerMinute(samples: Sample[]): number {
  if (samples.length < 2) return 0;
  const meanT = samples.reduce((sum, s) => sum + s.atS, 0) / samples.length;
  const meanR = samples.reduce((sum, s) => sum + s.rssBytes, 0) / samples.length;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.atS - meanT) * (s.rssBytes - meanR);
    den += (s.atS - meanT) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

/** A single unlabelled value from a scrape, or 0. */
function gauge(metricsText: string | undefined, name: string): number {
  const line = metricsText?.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Today's count from the scrape's reports-by-day gauge. */
function todaysReports(metricsText: string): number | undefined {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
  const line = metricsText.split('\n').find((l) => l.startsWith(`baken_reports_by_day{day="${today}"}`));
  return line ? Number(line.split(' ').pop()) : undefined;
}

/** Replaces this database's soak section of docs/benchmarks.md, or appends it. */
function writeSoakSection(kind: 'soak-pglite' | 'soak-postgres', body: string): void {
  const existing = existsSync(DOCS_FILE) ? readFileSync(DOCS_FILE, 'utf8') : '';
  const section = `<!-- bench:${kind} -->\n${body}\n<!-- /bench:${kind} -->`;
  const pattern = new RegExp(`<!-- bench:${kind} -->[\\s\\S]*?<!-- /bench:${kind} -->`);
  const updated = pattern.test(existing)
    ? existing.replace(pattern, section)
    : `${existing.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOCS_FILE, updated);
}

async function main(): Promise<boolean> {
  const benchDatabase = await benchDatabaseOn(process.env.DATABASE_URL?.trim() || undefined);
  const dataDir = benchTempDir('baken-soak-');
  const port = await freePort();
  const metricsToken = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    // Every request line is written, as in production: the log volume is part of the soak.
    ...appEnv({ dataDir, port, logLevel: 'info', databaseUrl: benchDatabase?.url }),
    TRUST_PROXY: '127.0.0.1',
    BAKEN_METRICS_TOKEN: metricsToken,
  };
  delete env.METRICS_PORT;
  const database = benchDatabase
    ? `PostgreSQL ${benchDatabase.serverVersion}, in a fresh database created for the run and dropped after it`
    : 'PGlite (embedded), in a fresh data dir under the system temp dir';
  const command =
    (benchDatabase ? `DATABASE_URL=${benchDatabase.display} ` : '') +
    (DURATION_S === 600 ? '' : `BENCH_SOAK_SECONDS=${DURATION_S} `) +
    (RATE === 20 ? '' : `BENCH_SOAK_RATE=${RATE} `) +
    'npm run bench:soak';
  report(`Baken soak — ${DURATION_S} s of mixed traffic at ${RATE} req/s — ${database}`);
  report(`Machine: ${machineDescription()}`);

  step(`seeding ${SEED_CASES} cases`);
  const prepared = await prepare(env);
  step(`seeded in ${prepared.seedSeconds.toFixed(1)} s; starting the app`);
  const app = startServer({ name: 'Baken', script: 'src/main.ts', env, port });
  const logs = new LogWatch();
  logs.attach(app);
  const tally = new Tally();
  const samples: Sample[] = [];
  const scrapes = { ok: 0, failed: 0 };
  let reportsBefore: number | undefined;
  let reportsAfter: number | undefined;
  let reporters = { started: 0, completed: 0 };
  let load = { other: 0, postgres: 0 };
  let readyAtEnd = 0;
  let mixResult: autocannon.Result;
  try {
    await waitUntilReady(app, '/healthz');
    const scrape = async (): Promise<string | undefined> => {
      const response = await fetch(`${app.url}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      const text = await response.text();
      if (response.status === 200) {
        scrapes.ok++;
        return text;
      }
      scrapes.failed++;
      tally.problem(`GET /metrics answered ${response.status}`);
      return undefined;
    };
    reportsBefore = todaysReports((await scrape()) ?? '');
    const search = await searchForm(app.url, prepared.coordinatorCookie, { q: 'uitbuiting' });
    const targets = targetsFor(prepared, search);

    step(`load for ${DURATION_S} s: mix at ${RATE} req/s, a reporter every ${REPORT_EVERY_MS} ms`);
    const cpuBefore = cpuSnapshot(liveChildPids());
    const runStart = performance.now();
    let endRun: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (endRun = resolve));
    const timer = setTimeout(endRun, DURATION_S * 1000);
    const sampler = (async () => {
      let nextProgress = 60;
      for (let stop = false; !stop;) {
        const atS = (performance.now() - runStart) / 1000;
        samples.push({ atS, rssBytes: processMemory(app.pid).rssBytes });
        const text = await scrape().catch((error: unknown) => {
          scrapes.failed++;
          tally.problem(`scrape failed: ${String(error)}`);
          return undefined;
        });
        if (atS >= nextProgress) {
          nextProgress += 60;
          // The app's own view of its memory, to tell a JavaScript leak from native or WebAssembly growth.
          const heap = gauge(text, 'baken_nodejs_heap_size_used_bytes');
          const external = gauge(text, 'baken_nodejs_external_memory_bytes');
          step(
            `${Math.round(atS)} s: RSS ${mb(samples.at(-1)?.rssBytes ?? 0)} (JS heap ${mb(heap)}, external ${mb(external)}), ` +
              `${tally.total} responses (${tally.serverErrors} 5xx), ${logs.count(50)} error log lines`,
          );
        }
        stop = await Promise.race([delay(SAMPLE_EVERY_MS).then(() => false), ended.then(() => true)]);
      }
    })();
    const mix = runMix(app.url, targets, tally, ended);
    const reporterRun = runReporters(app.url, tally, ended);
    mixResult = await mix;
    endRun();
    clearTimeout(timer);
    reporters = await reporterRun;
    await sampler;
    samples.push({ atS: (performance.now() - runStart) / 1000, rssBytes: processMemory(app.pid).rssBytes });
    load = otherLoad(cpuBefore, cpuSnapshot(liveChildPids())) ?? load;
    reportsAfter = todaysReports((await scrape()) ?? '');
    readyAtEnd = (await fetch(`${app.url}/readyz`)).status;
    // Let the last log lines arrive before the child is stopped.
    await delay(500);
  } finally {
    await stopServer(app);
  }

  // A short run has no samples after the warm-up: its figures are then from the whole run.
  const afterWarmup = samples.filter((s) => s.atS >= WARMUP_S);
  const warm = afterWarmup.length >= WINDOW_SAMPLES ? afterWarmup : samples;
  const startRss = median(warm.slice(0, WINDOW_SAMPLES).map((s) => s.rssBytes));
  const endRss = median(warm.slice(-WINDOW_SAMPLES).map((s) => s.rssBytes));
  const growth = (endRss - startRss) / startRss;
  const firstRss = samples[0]?.rssBytes ?? 0;
  const peakRss = Math.max(...samples.map((s) => s.rssBytes));
  const slope = slopePerMinute(warm);
  const mixErrors = mixResult.errors + mixResult.timeouts;
  const achievedRate = tally.total / DURATION_S;
  const reportsCounted =
    reportsBefore !== undefined && reportsAfter !== undefined ? reportsAfter - reportsBefore : undefined;

  const checks = [
    { name: '5xx responses', measured: String(tally.serverErrors), ok: tally.serverErrors === 0 },
    {
      name: 'Failed requests (errors, timeouts, unexpected answers in the report flow)',
      measured: `${mixErrors + tally.errors} (mix: ${mixResult.errors} errors, ${mixResult.timeouts} timeouts; reporters: ${reporters.started - reporters.completed} of ${reporters.started} incomplete)`,
      ok: mixErrors + tally.errors === 0 && reporters.completed === reporters.started,
    },
    {
      name: 'Log lines of level error or worse',
      measured: `${logs.count(50)} (of ${logs.lines} lines; ${logs.count(40) - logs.count(50)} warnings)`,
      ok: logs.count(50) === 0,
    },
    {
      name: `Resident memory, after ${WARMUP_S} s warm-up → end`,
      measured: `${mb(startRss)} → ${mb(endRss)} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%; ${(slope / 1024 / 1024).toFixed(2)} MB/min trend; first sample ${mb(firstRss)}, peak ${mb(peakRss)})`,
      ok: !judgeMemory || (Number.isFinite(growth) && growth <= RSS_TOLERANCE),
      target: judgeMemory
        ? `≤ +${Math.round(RSS_TOLERANCE * 100)}%`
        : `not judged: under ${WARMUP_S + MEMORY_JUDGED_AFTER_S} s`,
    },
    {
      name: 'Metrics scrapes (every 10 s, bearer token)',
      measured: `${scrapes.ok} answered 200, ${scrapes.failed} did not`,
      ok: scrapes.failed === 0,
    },
    {
      name: 'Reports counted by the day gauge vs. submitted',
      measured: `${reportsCounted ?? 'unknown'} counted, ${reporters.completed} reporters completed`,
      ok: reportsCounted !== undefined && reportsCounted >= reporters.completed,
    },
    { name: '/readyz at the end', measured: String(readyAtEnd), ok: readyAtEnd === 200 },
  ];
  const rows = checks.map((c) => [c.name, c.measured, c.target ?? 'none / 200', c.ok ? 'PASS' : 'FAIL']);
  const info = [
    ['Responses', `${tally.total} (${achievedRate.toFixed(1)} req/s): ${tally.summary()}`],
    [
      'Mix latency (autocannon)',
      `p50 ${ms(mixResult.latency.p50)} · p99 ${ms(mixResult.latency.p99)} · max ${ms(mixResult.latency.max)}`,
    ],
    [
      'Resident memory every 10 s',
      `${samples.map((sample) => Math.round(sample.rssBytes / 1024 / 1024)).join(' ')} MB`,
    ],
    [
      'Reporters',
      `${reporters.completed} reports submitted, ${Math.ceil(reporters.completed / 3)} receipt logins`,
    ],
    [
      'CPU used by other processes',
      `${(load.other * 100).toFixed(0)}% of the machine${benchDatabase ? `; PostgreSQL ${(load.postgres * 100).toFixed(0)}%` : ''}`,
    ],
  ];
  report('');
  report(table(['Check', 'Measured', 'Limit', 'Result'], rows));
  report('');
  report(table(['Figure', 'Measured'], info));
  for (const line of [...tally.firstProblems, ...logs.errorLines]) report(`  ! ${line}`);
  const passed = checks.every((c) => c.ok);
  report(
    passed
      ? 'Soak passed.'
      : `Soak FAILED: ${checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join('; ')}`,
  );

  const busy = load.other > 0.1;
  if (DURATION_S >= RECORD_MIN_S) {
    writeSoakSection(
      benchDatabase ? 'soak-postgres' : 'soak-pglite',
      [
        benchDatabase ? '## Soak, PostgreSQL' : '## Soak, embedded database (PGlite)',
        '',
        `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${command}\` (took ${elapsedS()} s).`,
        '',
        `- Machine: ${machineDescription()}.`,
        `- Database: ${database}; ${SEED_CASES} seeded cases (${Object.entries(prepared.counts)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}).`,
        `- Traffic: autocannon at ${RATE} requests a second over ${CONNECTIONS} keep-alive connections, in rotation over ` +
          `public pages (home, contact, the report form, the receipt login, English pages, /healthz, /readyz) and ` +
          `back-office pages with a coordinator's session (home, inbox, a case page, a POSTed search); besides it, a ` +
          `reporter every ${REPORT_EVERY_MS / 1000} s through the whole report form (fresh CSRF cookie, token and ` +
          `submission key, an address of its own), every third one logging in with its receipt code; a /metrics ` +
          `scrape and a VmRSS sample every 10 s. The app logs at info (a line per request).`,
        '',
        '| Check | Measured | Limit | Result |',
        '| --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r.join(' | ')} |`),
        '',
        '| Figure | Measured |',
        '| --- | --- |',
        ...info.map((r) => `| ${r.join(' | ')} |`),
        '',
        `- ${RATE} req/s (plus the reporters) is what this 2-core machine sustains alongside other work with ` +
          'latencies far below a second; the aim of the soak is stability over time, not throughput.',
        ...(busy
          ? [
              '- The machine was shared with other work during the run (see the CPU figure): latencies are not representative.',
            ]
          : []),
      ].join('\n'),
    );
    report('Recorded in docs/benchmarks.md (a Soak section).');
  } else {
    report(`A ${DURATION_S} s run: printed, not recorded (full runs of ≥ ${RECORD_MIN_S} s are).`);
  }
  return passed;
}

await runBench('soak', async () => ((await main()) ? 0 : 1));
