/**
 * `npm run bench`: the performance targets of Baken, measured with autocannon against the real app in
 * a child process, beside a bare Fastify baseline. Prints a table and records it in docs/benchmarks.md.
 * With DATABASE_URL set it measures PostgreSQL (in a database of its own), otherwise embedded PGlite.
 * Exits 0 when a target is missed (the table says FAIL); 1 when the bench itself could not run.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { cpuSnapshot, otherLoad, waitForQuietMachine } from './cpu.ts';
import { createReportWithCode, expiredReport, inParallel, prepareLogin, prepareReport } from './forms.ts';
import { flood, measureThroughput, paced, type Samples, type Throughput } from './load.ts';
import { mb, ms, report } from './output.ts';
import type { BenchDatabase } from './postgres.ts';
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
import {
  verdict,
  writeRecord,
  machineDescription,
  reportFigures,
  type BenchRecord,
  type Figure,
} from './record.ts';

const THROUGHPUT = { warmupS: 2, durationS: 10, rounds: 5, connections: 10 };
const FIXED_RATE = { rate: 20, durationS: 15 };
const LOGIN_REPORTS = 50;
const FLOOD = { connections: 20, validForms: 800, maxDurationS: 30, expiredDurationS: 10, publicRate: 50 };
const PUBLIC_P99_LIMIT_MS = 50;
const READY_LIMIT_MS = 3000;
const RSS_LIMIT_BYTES = 400 * 1024 * 1024;
const RESTARTS = 3;
/** Other processes using more than this share of the CPU make the figures unreliable. */
const OTHER_LOAD_WARNING = 0.1;
const QUIET_WAIT_MS = 60_000;
const PREPARE_CONCURRENCY = 4;
const DOCS_FILE = new URL('../docs/benchmarks.md', import.meta.url).pathname;

let benchDatabase: BenchDatabase | undefined;
cleanUpOnSignals();

function benchAppEnv(dataDir: string, port: number, logLevel: string): NodeJS.ProcessEnv {
  return {
    ...appEnv({ dataDir, port, logLevel, databaseUrl: benchDatabase?.url }),
    // The bench stands in for a reverse proxy, giving each simulated reporter an address (forms.ts).
    TRUST_PROXY: '127.0.0.1',
    // The simulated reporters post forms without the proof of work a browser solves (bench/flood.ts
    // measures that path): accepted at once, and never limited as unsolved.
    BAKEN_INTAKE_MIN_SECONDS: '0',
    BAKEN_INTAKE_UNSOLVED_PER_HOUR: '100000',
  };
}

async function startApp(dataDir: string, logLevel: string): Promise<{ app: ServerProcess; readyMs: number }> {
  const port = await freePort();
  const app = startServer({
    name: 'Baken',
    script: 'src/main.ts',
    env: benchAppEnv(dataDir, port, logLevel),
    port,
  });
  return { app, readyMs: await waitUntilReady(app) };
}

const benchStart = performance.now();
function step(text: string): void {
  report(`• [${String(Math.round((performance.now() - benchStart) / 1000)).padStart(3)} s] ${text}`);
}

/** CPU share other processes took during each load phase (see cpu.ts). */
const phaseLoads: { phase: string; load: number; postgres: number }[] = [];
async function measured<T>(phase: string, run: () => Promise<T>): Promise<T> {
  const from = cpuSnapshot(liveChildPids());
  const result = await run();
  const load = otherLoad(from, cpuSnapshot(liveChildPids()));
  if (load !== undefined) phaseLoads.push({ phase, load: load.other, postgres: load.postgres });
  return result;
}

function latencies(samples: Samples): string {
  return `p50 ${ms(samples.percentile(0.5))} · p97.5 ${ms(samples.percentile(0.975))} · p99 ${ms(samples.percentile(0.99))}`;
}

function achievedRate(samples: Samples): number {
  return samples.count / samples.wallSeconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

async function main(): Promise<BenchRecord> {
  const startedAt = performance.now();
  const cpuAtStart = cpuSnapshot([]);
  const adminUrl = process.env.DATABASE_URL?.trim() || undefined;
  const kind = adminUrl ? 'postgres' : 'pglite';
  benchDatabase = await benchDatabaseOn(adminUrl);
  const database = benchDatabase
    ? `PostgreSQL ${benchDatabase.serverVersion} at ${new URL(benchDatabase.url).host}, in a fresh database created for the run and dropped after it`
    : 'PGlite (embedded), in a fresh data dir under the system temp dir';
  const command = benchDatabase ? `DATABASE_URL=${benchDatabase.display} npm run bench` : 'npm run bench';
  report(`Baken benchmark — ${database}`);
  report(`Machine: ${machineDescription()}`);
  report('');
  const waiting = { warned: false };
  const quiet = await waitForQuietMachine(OTHER_LOAD_WARNING, QUIET_WAIT_MS, (load) => {
    if (!waiting.warned)
      step(
        `other processes use ${(load * 100).toFixed(0)}% of the CPU; waiting up to ${QUIET_WAIT_MS / 1000} s for a quiet machine`,
      );
    waiting.warned = true;
  });
  if (waiting.warned)
    step(
      quiet !== undefined && quiet < OTHER_LOAD_WARNING
        ? 'the machine is quiet now'
        : 'going ahead on a busy machine',
    );

  const figures: Figure[] = [];
  const notes: string[] = [];
  const dataDir = benchTempDir('baken-bench-');

  step('first start on an empty data dir (creates the database and runs the migrations)');
  const first = await startApp(dataDir, 'info');
  const firstMemory = processMemory(first.app.pid);
  const firstReadyInMs = await Promise.race([first.app.readyInMs, delay(2000).then(() => undefined)]);
  await stopServer(first.app);
  figures.push({
    name: 'First start, empty data dir',
    measured: `${ms(first.readyMs)} to first 200 (app log: readyInMs ${firstReadyInMs ?? '?'}); RSS ${mb(firstMemory.rssBytes)}`,
    target: '—',
    verdict: 'info',
  });

  step('starting the app on that data dir, and the bare Fastify baseline');
  const { app } = await startApp(dataDir, 'warn');
  const barePort = await freePort();
  const bare = startServer({
    name: 'bare Fastify',
    script: 'bench/bare-server.ts',
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(barePort) },
    port: barePort,
  });
  try {
    await waitUntilReady(bare);
    const publicPath =
      (await fetch(`${app.url}/wat-is-mensenhandel`)).status === 200 ? '/wat-is-mensenhandel' : '/';

    // 1. Throughput of a public page beside a bare route, alternating, so other load hits both alike.
    const roundS = THROUGHPUT.durationS / THROUGHPUT.rounds;
    const targets = [
      { url: bare.url, path: '/' },
      { url: app.url, path: publicPath },
    ] as const;
    step(`throughput: ${THROUGHPUT.warmupS} s warm-up each for the bare route and GET ${publicPath}`);
    for (const target of targets) {
      await measureThroughput({
        ...target,
        durationS: THROUGHPUT.warmupS,
        connections: THROUGHPUT.connections,
      });
    }
    step(`throughput: ${THROUGHPUT.rounds} rounds of ${roundS} s on each, alternating`);
    const rounds = await measured('throughput', async () => {
      const results: { bare: Throughput; page: Throughput }[] = [];
      for (let round = 0; round < THROUGHPUT.rounds; round++) {
        const [bareRound, pageRound] = [
          await measureThroughput({ ...targets[0], durationS: roundS, connections: THROUGHPUT.connections }),
          await measureThroughput({ ...targets[1], durationS: roundS, connections: THROUGHPUT.connections }),
        ];
        results.push({ bare: bareRound, page: pageRound });
      }
      return results;
    });
    await stopServer(bare);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const bareTotal = sum(rounds.map((r) => r.bare.total));
    const pageTotal = sum(rounds.map((r) => r.page.total));
    const ratio = pageTotal / bareTotal;
    const roundRatios = rounds.map((r) => r.page.total / r.bare.total);
    const pageClean = rounds.every((r) => r.page.non2xx === 0 && r.page.errors === 0);
    const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
    figures.push({
      name: `Throughput GET ${publicPath} vs bare Fastify`,
      measured:
        `${Math.round(pageTotal / THROUGHPUT.durationS)} vs ${Math.round(bareTotal / THROUGHPUT.durationS)} req/s = ` +
        `${percent(ratio)} (rounds ${percent(Math.min(...roundRatios))}–${percent(Math.max(...roundRatios))})`,
      target: '≥ 50%',
      verdict: verdict(ratio >= 0.5 && pageClean),
    });
    notes.push(
      `Throughput: ${THROUGHPUT.connections} connections, ${THROUGHPUT.rounds} alternating rounds of ${roundS} s on ` +
        `each server after ${THROUGHPUT.warmupS} s of warm-up; bare route ${bareTotal} requests, GET ${publicPath} ` +
        `${pageTotal} requests (${sum(rounds.map((r) => r.page.non2xx))} non-2xx, ` +
        `${sum(rounds.map((r) => r.page.errors))} errors); p99 latency per round at most ` +
        `${ms(Math.max(...rounds.map((r) => r.bare.p99)))} and ${ms(Math.max(...rounds.map((r) => r.page.p99)))}.`,
    );

    // 2. Intake submissions at a fixed rate, each with its own form.
    const needed = FIXED_RATE.rate * FIXED_RATE.durationS + 2 * FIXED_RATE.rate;
    step(`intake: preparing ${needed} report forms (GET /melden, POST /melden)`);
    const reports = await inParallel(needed, PREPARE_CONCURRENCY, (i) => prepareReport(app.url, i));
    step(`intake: POST /melden/versturen at ${FIXED_RATE.rate} req/s for ${FIXED_RATE.durationS} s`);
    const intake = await measured('intake at a fixed rate', () =>
      paced({
        url: app.url,
        ...FIXED_RATE,
        request: (i) => ({
          method: 'POST',
          path: '/melden/versturen',
          prepared: reports[i] ?? expiredReport(i),
        }),
      }),
    );
    figures.push(fixedRateFigure('Intake submission (POST /melden/versturen)', intake));

    // 3. Receipt logins at a fixed rate, with codes of reports made through the form.
    step(
      `receipt login: creating ${LOGIN_REPORTS} reports and reading their codes, preparing ${needed} logins`,
    );
    const codes = await inParallel(LOGIN_REPORTS, PREPARE_CONCURRENCY, (i) =>
      createReportWithCode(app.url, 10_000 + i),
    );
    const logins = await inParallel(needed, PREPARE_CONCURRENCY, (i) =>
      prepareLogin(app.url, codes[i % codes.length] ?? ''),
    );
    step(`receipt login: POST /mijn-melding at ${FIXED_RATE.rate} req/s for ${FIXED_RATE.durationS} s`);
    const login = await measured('receipt login at a fixed rate', () =>
      paced({
        url: app.url,
        ...FIXED_RATE,
        request: (i) => ({ method: 'POST', path: '/mijn-melding', prepared: logins[i] }),
      }),
    );
    figures.push(fixedRateFigure('Receipt login (POST /mijn-melding)', login));
    notes.push(
      `Fixed rates: intake ${intake.count} responses (${intake.statusSummary()}), receipt login ${login.count} ` +
        `responses (${login.statusSummary()}), with ${LOGIN_REPORTS} codes used in turn. Connection errors: ` +
        `${intake.errors} and ${login.errors}. Every login and submission comes from a reporter address of its own, so the app's per-source limits do not slow them.`,
    );

    // 4. Public pages while intake is flooded: first with valid forms, then with expired ones.
    step(`flood: preparing ${FLOOD.validForms} report forms`);
    const floodForms = await inParallel(FLOOD.validForms, PREPARE_CONCURRENCY, (i) =>
      prepareReport(app.url, 20_000 + i),
    );
    step(`public page alone: GET ${publicPath} at ${FLOOD.publicRate} req/s for 5 s`);
    const calm = await measured('public page alone', () =>
      paced({
        url: app.url,
        rate: FLOOD.publicRate,
        durationS: 5,
        request: () => ({ method: 'GET', path: publicPath }),
      }),
    );
    const publicDuring = (floodRun: Promise<unknown>, durationS: number) =>
      paced({
        url: app.url,
        rate: FLOOD.publicRate,
        durationS,
        until: floodRun,
        request: () => ({ method: 'GET', path: publicPath }),
      });

    step(
      `flood with valid forms: ${FLOOD.connections} connections post the ${FLOOD.validForms} forms as fast as ` +
        `they are answered, with GET ${publicPath} at ${FLOOD.publicRate} req/s meanwhile`,
    );
    const [validFlood, duringValid] = await measured('flood with valid forms', async () => {
      const run = flood({
        url: app.url,
        connections: FLOOD.connections,
        durationS: FLOOD.maxDurationS,
        amount: floodForms.length,
        request: (i) => ({
          method: 'POST',
          path: '/melden/versturen',
          prepared: floodForms[i] ?? expiredReport(i),
        }),
      });
      await delay(500);
      return Promise.all([run, publicDuring(run, FLOOD.maxDurationS)]);
    });

    step(
      `flood with expired forms: ${FLOOD.connections} connections for ${FLOOD.expiredDurationS} s, ` +
        `with GET ${publicPath} at ${FLOOD.publicRate} req/s meanwhile`,
    );
    const [expiredFlood, duringExpired] = await measured('flood with expired forms', async () => {
      const run = flood({
        url: app.url,
        connections: FLOOD.connections,
        durationS: FLOOD.expiredDurationS,
        request: (i) => ({ method: 'POST', path: '/melden/versturen', prepared: expiredReport(i) }),
      });
      await delay(500);
      return Promise.all([run, publicDuring(run, FLOOD.expiredDurationS)]);
    });

    for (const [kind, during, floodSamples, expected] of [
      ['valid', duringValid, validFlood, 303],
      ['expired', duringExpired, expiredFlood, 403],
    ] as const) {
      const clean = during.errors === 0 && during.countOf(200) === during.count;
      figures.push({
        name: `GET ${publicPath} during a flood of ${kind} forms`,
        measured:
          `${latencies(during)} (${during.count} responses${clean ? '' : `: ${during.statusSummary()}, ${during.errors} errors`}); ` +
          `flood ${Math.round(achievedRate(floodSamples))} req/s, ${floodSamples.countOf(expected)}× ${expected}` +
          (floodSamples.count > floodSamples.countOf(expected) ? ` (${floodSamples.statusSummary()})` : '') +
          (floodSamples.errors ? `, ${floodSamples.errors} errors` : '') +
          `, its p50 ${ms(floodSamples.percentile(0.5))}`,
        target: `p99 < ${PUBLIC_P99_LIMIT_MS} ms`,
        verdict: verdict(during.percentile(0.99) < PUBLIC_P99_LIMIT_MS && clean),
      });
    }
    figures.push({
      name: `GET ${publicPath} at ${FLOOD.publicRate} req/s, no flood`,
      measured: `${latencies(calm)} (${calm.count} responses)`,
      target: '—',
      verdict: 'info',
    });
    notes.push(
      `Floods: ${FLOOD.connections} connections posting complete reports to /melden/versturen as fast as the app ` +
        `answers, while ${FLOOD.publicRate} public-page requests a second arrive evenly spaced. Valid forms: each with ` +
        `its own CSRF cookie, token, submission key and reporter address, as from many senders at once (303: report ` +
        `stored, with an argon2id hash of the receipt, encryption and one transaction); the flood ends when the ` +
        `${FLOOD.validForms} prepared forms are used. Expired forms: no CSRF cookie, all from one address, so each goes ` +
        `through the whole form reading and validation and gets the form back with 403. The load generator runs ` +
        `in the bench process on the same cores as the app.`,
    );

    // 5. Memory after the load, then restarts on the filled data dir.
    const memory = processMemory(app.pid);
    const isServer = memory.commandLine.includes('src/main.ts');
    figures.push({
      name: 'Resident memory after the benchmark',
      measured: `${mb(memory.rssBytes)} (peak ${mb(memory.peakRssBytes)})`,
      target: kind === 'pglite' ? '< 400 MB' : '< 400 MB (embedded mode)',
      verdict: kind === 'pglite' ? verdict(memory.rssBytes < RSS_LIMIT_BYTES && isServer) : 'info',
    });
    notes.push(
      `Memory: VmRSS of pid ${app.pid} (\`${memory.commandLine}\`${isServer ? ', the server itself' : ', NOT the server'}); ` +
        (memory.children.length === 0
          ? 'it has no child processes.'
          : `child processes: ${memory.children.map((c) => `${c.commandLine} (${mb(c.rssBytes)})`).join(', ')}.`) +
        ` After the first start on the empty data dir the app had ${mb(firstMemory.rssBytes)} resident.`,
    );
  } finally {
    await stopServer(bare);
    await stopServer(app);
  }

  step(`start-to-ready: ${RESTARTS} restarts on the filled data dir`);
  const readyTimes: number[] = [];
  const logged: (number | undefined)[] = [];
  const idle: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const restart = await measured('restart', () => startApp(dataDir, 'info'));
    readyTimes.push(restart.readyMs);
    logged.push(await Promise.race([restart.app.readyInMs, delay(2000).then(() => undefined)]));
    idle.push(processMemory(restart.app.pid).rssBytes);
    await stopServer(restart.app);
  }
  const readyMedian = median(readyTimes);
  figures.push({
    name: 'Start-to-ready, existing data dir (median of 3)',
    measured: `${ms(readyMedian)} (runs ${readyTimes.map((t) => Math.round(t)).join(', ')} ms; app log readyInMs ${logged.map((v) => v ?? '?').join(', ')})`,
    target: kind === 'pglite' ? '< 3000 ms' : '< 3000 ms (embedded mode)',
    verdict: kind === 'pglite' ? verdict(readyMedian < READY_LIMIT_MS) : 'info',
  });
  notes.push(
    `Start-to-ready is from spawning \`node --import tsx src/main.ts\` to the first 200 on \`/\`, so it includes ` +
      `Node start-up and TypeScript loading; the app's readyInMs starts at its first line. Resident memory ` +
      `right after each restart (idle): ${idle.map(mb).join(', ')}.`,
  );

  const runLoad = otherLoad(cpuAtStart, cpuSnapshot(liveChildPids()));
  if (runLoad !== undefined) {
    const percent = (load: number) => `${(load * 100).toFixed(0)}%`;
    const worst = [...phaseLoads].sort((a, b) => b.load - a.load)[0];
    const busy = runLoad.other > OTHER_LOAD_WARNING || (worst?.load ?? 0) > OTHER_LOAD_WARNING;
    figures.push({
      name: 'CPU used by other processes',
      measured:
        `${percent(runLoad.other)} of the machine during the run` +
        (worst ? `, at most ${percent(worst.load)} in a load phase (${worst.phase})` : ''),
      target: `< ${percent(OTHER_LOAD_WARNING)} for undisturbed figures`,
      verdict: busy ? 'BUSY' : 'quiet',
    });
    if (busy) notes.push('The machine was not quiet during the run: other work disturbed these figures.');
    if (kind === 'postgres') {
      const busiest = [...phaseLoads].sort((a, b) => b.postgres - a.postgres)[0];
      notes.push(
        `The PostgreSQL server (processes named postgres, same machine) used ${percent(runLoad.postgres)} of the ` +
          `machine's CPU during the run` +
          (busiest ? `, at most ${percent(busiest.postgres)} in a load phase (${busiest.phase}).` : '.'),
      );
    }
  }
  return {
    kind,
    database,
    command,
    date: new Date(),
    tookSeconds: (performance.now() - startedAt) / 1000,
    figures,
    notes,
  };
}

/**
 * Each paced connection waits for its answer before its next request, so a server that cannot keep
 * up answers fewer than rate × duration requests; the figure only counts when it kept the rate.
 */
function fixedRateFigure(name: string, samples: Samples): Figure {
  const bad = samples.count - samples.countOf(303) + samples.errors;
  const scheduled = FIXED_RATE.rate * FIXED_RATE.durationS;
  const kept = samples.count >= scheduled * 0.95;
  return {
    name: `${name} at ${FIXED_RATE.rate} req/s`,
    measured:
      `${latencies(samples)}; ${samples.count} of ${scheduled} scheduled requests answered` +
      (kept ? '' : ' (the rate was not kept)') +
      `, ${bad} not 303`,
    target: 'p50/p99 at 20 req/s; all 303',
    verdict: verdict(bad === 0 && kept),
  };
}

await runBench('bench', async () => {
  const record = await main();
  reportFigures(record);
  writeRecord(DOCS_FILE, record);
  report(
    `Recorded in docs/benchmarks.md (${record.kind} section). Took ${Math.round(record.tookSeconds)} s.`,
  );
  return 0;
});
