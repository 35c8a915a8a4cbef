/**
 * `npm run bench:back-office`: the back office on a seeded database. Seeds synthetic Dutch data
 * (src/features/search/seed.ts) into a fresh data dir (PGlite, 10,000 cases) or a database of its
 * own (DATABASE_URL: PostgreSQL, 100,000 cases and 500,000 notes), signs in a coordinator and an
 * advisor with sessions made in the database, and measures the inbox (first and a later keyset
 * page), a case page and search (a common word with filters, a rare word; POSTed like the search
 * form, with a session's CSRF token and cookie) with autocannon. Records the figures in
 * docs/benchmarks.md. Exits 0 when a target is missed (the table says FAIL), but 1 when any response
 * was not 2xx: those figures would measure an error page, not the page.
 *
 * BENCH_CASES=<n> seeds n cases instead of the documented count: a quick check that every request
 * answers 200, whose figures are printed but not recorded in docs/benchmarks.md.
 */
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { STAFF_COOKIE, createStaffSession } from '../src/features/auth/session-service.ts';
import { formatCursor } from '../src/features/inbox/inbox-service.ts';
import { seedDatabase, type SeededStaff } from '../src/features/search/seed.ts';
import { cookieName } from '../src/web/cookies.ts';
import { hiddenFieldsOf } from '../src/test/http-client.ts';
import { cpuSnapshot, otherLoad } from './cpu.ts';
import { encodeForm, SEARCH_PATH, searchForm, type PreparedRequest } from './forms.ts';
import { paced, type Samples } from './load.ts';
import { ms, report } from './output.ts';
import { benchDatabaseOn, benchTempDir, cleanUpOnSignals, runBench } from './cleanup.ts';
import { appEnv, freePort, liveChildPids, startServer, stopServer, waitUntilReady } from './processes.ts';
import {
  machineDescription,
  reportFigures,
  verdict,
  writeRecord,
  type BenchRecord,
  type Figure,
} from './record.ts';

const SIZES = {
  pglite: { cases: 10_000, notesPerCase: 5, p95LimitMs: 200 },
  postgres: { cases: 100_000, notesPerCase: 5, p95LimitMs: 100 },
} as const;
interface Size {
  cases: number;
  notesPerCase: number;
  p95LimitMs: number;
}

/** The documented size, or BENCH_CASES cases for a quick check (then nothing is recorded). */
function sizeFor(kind: keyof typeof SIZES): { size: Size; quickCheck: boolean } {
  const raw = process.env.BENCH_CASES?.trim();
  if (!raw) return { size: SIZES[kind], quickCheck: false };
  const cases = Number(raw);
  if (!Number.isInteger(cases) || cases < 1)
    throw new Error(`BENCH_CASES must be a whole number ≥ 1: ${raw}`);
  return { size: { ...SIZES[kind], cases }, quickCheck: true };
}
const RATE = { rate: 10, durationS: 10, warmupS: 2 };
/** The later inbox page starts after this many reports (a keyset seek, not an OFFSET). */
const LATER_PAGE_AFTER = 2000;
/** Other processes using more than this share of the CPU make the figures unreliable. */
const OTHER_LOAD_WARNING = 0.1;
const DOCS_FILE = new URL('../docs/benchmarks.md', import.meta.url).pathname;

cleanUpOnSignals();

const benchStart = performance.now();
const step = (text: string) =>
  report(`• [${String(Math.round((performance.now() - benchStart) / 1000)).padStart(4)} s] ${text}`);

const percentiles = (samples: Samples) =>
  `p50 ${ms(samples.percentile(0.5))} · p95 ${ms(samples.percentile(0.95))} · p99 ${ms(samples.percentile(0.99))}`;

interface Prepared {
  coordinatorCookie: string;
  advisorCookie: string;
  inboxCursor: string;
  /** How many reports the later inbox page skips (fewer than LATER_PAGE_AFTER on a small seed). */
  laterPageAfter: number;
  /** A case the advisor may open (assigned to them). */
  caseId: string;
  seedSeconds: number;
  counts: Record<string, number>;
}

/** Seeds, then prepares sessions and the ids the requests need; the database is closed afterwards. */
async function prepare(env: NodeJS.ProcessEnv, size: Size): Promise<Prepared> {
  const config = loadConfig(env);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { db } = database;
    await migrate(db);
    let lastReport = 0;
    const seeded = await seedDatabase(db, config.secrets.encryptionKeys, {
      cases: size.cases,
      notesPerCase: size.notesPerCase,
      onProgress: (done, total) => {
        if (done === total || performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          step(`seeded ${done} of ${total} cases`);
        }
      },
    });
    const coordinator = firstOf(seeded.staff, 'coordinator');
    const advisor = firstOf(seeded.staff, 'advisor');
    const name = cookieName(config, STAFF_COOKIE);
    const laterPageAfter = Math.min(LATER_PAGE_AFTER, Math.max(0, (seeded.counts.reports ?? 0) - 1));
    const later = await db
      .selectFrom('report')
      .select(['id', sql<number>`(extract(epoch from received_at) * 1000000)::bigint`.as('micros')])
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .offset(laterPageAfter)
      .limit(1)
      .executeTakeFirstOrThrow();
    const ownCase = await db
      .selectFrom('case_file')
      .select('id')
      .where('assigned_user_id', '=', advisor.id)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return {
      coordinatorCookie: `${name}=${await createStaffSession(db, coordinator.id, 'full')}`,
      advisorCookie: `${name}=${await createStaffSession(db, advisor.id, 'full')}`,
      inboxCursor: formatCursor({ acuteDanger: false, receivedAtMicros: later.micros, id: later.id }),
      laterPageAfter,
      caseId: ownCase.id,
      seedSeconds: seeded.seconds,
      counts: seeded.counts,
    };
  } finally {
    await database.close();
  }
}

function firstOf(staff: SeededStaff[], role: SeededStaff['role']): SeededStaff {
  const found = staff.find((s) => s.role === role);
  if (!found) throw new Error(`the seed made no ${role}`);
  return found;
}

interface Target {
  name: string;
  path: string;
  who: 'coordinator' | 'advisor';
  /** Counted against the target; otherwise reported as information. */
  targeted: boolean;
  /** A POST (the search form): its body, and the session cookie with the CSRF cookie. */
  form?: PreparedRequest;
}

/** The next-page form as the first page of a search renders it (an opaque cursor), or none. */
async function nextPageForm(base: string, first: PreparedRequest): Promise<PreparedRequest | undefined> {
  const response = await fetch(`${base}${SEARCH_PATH}`, {
    method: 'POST',
    body: first.body,
    headers: { cookie: first.cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (response.status !== 200) throw new Error(`POST ${SEARCH_PATH} answered ${response.status}`);
  const fields = hiddenFieldsOf(await response.text(), 'data-next-page');
  return fields ? { cookie: first.cookie, body: encodeForm(fields) } : undefined;
}

/** Failed requests and responses that were not 2xx: a figure over error pages is no figure. */
function brokenResponses(samples: Samples): number {
  let successful = 0;
  for (const [status, count] of samples.statuses) if (status >= 200 && status < 300) successful += count;
  return samples.errors + samples.count - successful;
}

interface Outcome {
  record: BenchRecord;
  /** A BENCH_CASES run: printed, not recorded. */
  quickCheck: boolean;
  /** Targets with failed or non-2xx responses (or none at all). */
  brokenTargets: string[];
}

async function main(): Promise<Outcome> {
  const startedAt = performance.now();
  const adminUrl = process.env.DATABASE_URL?.trim() || undefined;
  const kind = adminUrl ? 'postgres' : 'pglite';
  const { size, quickCheck } = sizeFor(kind);
  const benchDatabase = await benchDatabaseOn(adminUrl);
  const dataDir = benchTempDir('baken-bench-office-');
  const port = await freePort();
  const env = appEnv({ dataDir, port, logLevel: 'warn', databaseUrl: benchDatabase?.url });
  const database = benchDatabase
    ? `PostgreSQL ${benchDatabase.serverVersion} at ${new URL(benchDatabase.url).host}, in a fresh database created for the run and dropped after it`
    : 'PGlite (embedded), in a fresh data dir under the system temp dir';
  const command = benchDatabase
    ? `DATABASE_URL=${benchDatabase.display} npm run bench:back-office`
    : 'npm run bench:back-office';
  report(`Baken back-office benchmark — ${database}`);
  report(`Machine: ${machineDescription()}`);

  step(`seeding ${size.cases} cases with ${size.notesPerCase} notes each`);
  const prepared = await prepare(env, size);
  const figures: Figure[] = [];
  const notes: string[] = [];
  const brokenTargets: string[] = [];
  const counts = prepared.counts;
  figures.push({
    name: `Seed (${size.cases} cases)`,
    measured:
      `${prepared.seedSeconds.toFixed(1)} s for ${counts.cases ?? 0} cases, ${counts.notes ?? 0} notes, ` +
      `${counts.reports ?? 0} reports, ${counts.persons ?? 0} persons, ${counts.tasks ?? 0} tasks, ` +
      `${counts.dataKeys ?? 0} data keys`,
    target: 'a few minutes at most',
    verdict: 'info',
  });

  step('starting the app on the seeded database');
  const app = startServer({ name: 'Baken', script: 'src/main.ts', env, port });
  let cpuBeforeLoad: ReturnType<typeof cpuSnapshot>;
  let load: ReturnType<typeof otherLoad>;
  try {
    await waitUntilReady(app);
    const cookies = { coordinator: prepared.coordinatorCookie, advisor: prepared.advisorCookie };
    const casePage = `/beheer/casussen/${prepared.caseId}`;
    const caseStatus = (await fetch(`${app.url}${casePage}`, { headers: { cookie: cookies.coordinator } }))
      .status;
    const common = { q: 'uitbuiting', gemeente: 'GM0153', status: 'in_progress' };
    const rare = { q: 'orgaanverwijdering' };
    const searches = {
      coordinator: {
        common: await searchForm(app.url, cookies.coordinator, common),
        rare: await searchForm(app.url, cookies.coordinator, rare),
      },
      advisor: {
        common: await searchForm(app.url, cookies.advisor, common),
        rare: await searchForm(app.url, cookies.advisor, rare),
      },
    };
    const targets: Target[] = [
      { name: 'Inbox, first page', path: '/beheer/meldingen', who: 'coordinator', targeted: true },
      {
        name: `Inbox, page after ${prepared.laterPageAfter} reports (keyset)`,
        path: `/beheer/meldingen?vanaf=${prepared.inboxCursor}`,
        who: 'coordinator',
        targeted: true,
      },
      ...(caseStatus === 200
        ? (['coordinator', 'advisor'] as const).map((who) => ({
            name: `Case page (${who})`,
            path: casePage,
            who,
            targeted: true,
          }))
        : []),
      ...(['coordinator', 'advisor'] as const).flatMap((who) => [
        {
          name: `Search "uitbuiting", Enschede, in behandeling (${who})`,
          path: SEARCH_PATH,
          who,
          targeted: true,
          form: searches[who].common,
        },
        {
          name: `Search rare word "orgaanverwijdering" (${who})`,
          path: SEARCH_PATH,
          who,
          targeted: true,
          form: searches[who].rare,
        },
      ]),
    ];
    const nextPage = await nextPageForm(
      app.url,
      await searchForm(app.url, cookies.coordinator, { q: 'uitbuiting' }),
    );
    if (nextPage) {
      targets.push({
        name: 'Search "uitbuiting", next page (coordinator)',
        path: SEARCH_PATH,
        who: 'coordinator',
        targeted: true,
        form: nextPage,
      });
    } else {
      notes.push('The search for "uitbuiting" had a single page, so the next page was not measured.');
    }
    if (caseStatus !== 200) {
      notes.push(`The case page answered ${caseStatus} before the run, so it was not measured.`);
    }

    cpuBeforeLoad = cpuSnapshot(liveChildPids());
    for (const target of targets) {
      const headers = { cookie: cookies[target.who] };
      const { form } = target;
      const request = form
        ? () => ({ method: 'POST' as const, path: target.path, prepared: form })
        : () => ({ method: 'GET' as const, path: target.path });
      const method = form ? 'POST' : 'GET';
      step(`${target.name}: warm-up, then ${method} at ${RATE.rate} req/s for ${RATE.durationS} s`);
      await paced({ url: app.url, rate: RATE.rate, durationS: RATE.warmupS, headers, request });
      const samples = await paced({
        url: app.url,
        rate: RATE.rate,
        durationS: RATE.durationS,
        headers,
        request,
      });
      const broken = brokenResponses(samples);
      if (broken > 0 || samples.count === 0)
        brokenTargets.push(`${target.name} (${samples.statusSummary()}; ${samples.errors} errors)`);
      const clean = broken === 0 && samples.countOf(200) === samples.count && samples.count > 0;
      const p95 = samples.percentile(0.95);
      figures.push({
        name: target.name,
        measured: `${percentiles(samples)} (${samples.count} responses${clean ? '' : `: ${samples.statusSummary()}, ${samples.errors} errors`})`,
        target: target.targeted ? `p95 < ${size.p95LimitMs} ms` : '—',
        verdict: target.targeted ? verdict(p95 < size.p95LimitMs && clean) : 'info',
      });
    }
    load = otherLoad(cpuBeforeLoad, cpuSnapshot(liveChildPids()));
  } finally {
    await stopServer(app);
  }

  notes.push(
    `Requests: GET with the session cookie of the seeded coordinator (sees every case) or an advisor ` +
      `(own and team's cases); searches POST the search form (the words never go in a URL) with that ` +
      `session's CSRF token and cookie; ${RATE.rate} requests a second for ${RATE.durationS} s per page after ${RATE.warmupS} s ` +
      `of warm-up, evenly spaced (one keep-alive connection per request a second). Every search and case page ` +
      `writes its audit row in the same transaction, as in production.`,
    `Data: ${Object.entries(counts)
      .map(([table, count]) => `${table} ${count}`)
      .join(', ')}; ${size.notesPerCase} notes per case; dates over three years. Seeded in-process with ` +
      `the code behind \`npm run seed -- --cases ${size.cases} --notes-per-case ${size.notesPerCase}\`.`,
    `Search pages are newest first with a keyset on (date, id); the common-word search matches most notes, ` +
      `the rare word a few hundred cases, notes and reports.`,
  );
  if (load !== undefined) {
    const busy = load.other > OTHER_LOAD_WARNING;
    figures.push({
      name: 'CPU used by other processes while measuring',
      measured:
        `${(load.other * 100).toFixed(0)}% of the machine` +
        (kind === 'postgres' ? `; the PostgreSQL server ${(load.postgres * 100).toFixed(0)}%` : ''),
      target: `< ${OTHER_LOAD_WARNING * 100}% for undisturbed figures`,
      verdict: busy ? 'BUSY' : 'quiet',
    });
    if (busy) notes.push('The machine was not quiet during the run: other work disturbed these figures.');
  }
  const record: BenchRecord = {
    kind: kind === 'postgres' ? 'back-office-postgres' : 'back-office-pglite',
    database,
    command,
    date: new Date(),
    tookSeconds: (performance.now() - startedAt) / 1000,
    figures,
    notes,
  };
  return { record, quickCheck, brokenTargets };
}

await runBench('bench', async () => {
  const { record, quickCheck, brokenTargets } = await main();
  reportFigures(record);
  if (quickCheck) {
    report(`A BENCH_CASES quick check: not recorded. Took ${Math.round(record.tookSeconds)} s.`);
  } else {
    writeRecord(DOCS_FILE, record);
    report(
      `Recorded in docs/benchmarks.md (${record.kind} section). Took ${Math.round(record.tookSeconds)} s.`,
    );
  }
  if (brokenTargets.length > 0) {
    report(`\nERROR: requests that did not answer 2xx: ${brokenTargets.join('; ')}`);
    return 1;
  }
  return 0;
});
