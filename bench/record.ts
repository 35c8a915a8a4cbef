import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { report, table } from './output.ts';

/** What the bench measured, and how it is written to stdout and docs/benchmarks.md. */
export type DatabaseKind = 'pglite' | 'postgres';
/** A section of docs/benchmarks.md: the public/intake bench or the back-office bench, per database. */
export type SectionKind = DatabaseKind | 'back-office-pglite' | 'back-office-postgres';
const sectionOrder: readonly SectionKind[] = [
  'pglite',
  'postgres',
  'back-office-pglite',
  'back-office-postgres',
];
export type Verdict = 'PASS' | 'FAIL' | 'info' | 'quiet' | 'BUSY';

export interface Figure {
  name: string;
  measured: string;
  target: string;
  verdict: Verdict;
}

export interface BenchRecord {
  kind: SectionKind;
  database: string;
  command: string;
  date: Date;
  tookSeconds: number;
  figures: Figure[];
  notes: string[];
}

/** Prints the figures as a table, the notes, and which targets were missed. */
export function reportFigures(record: BenchRecord): void {
  report('');
  report(
    table(
      ['Figure', 'Measured', 'Target', 'Result'],
      record.figures.map((f) => [f.name, f.measured, f.target, f.verdict]),
    ),
  );
  report('');
  for (const note of record.notes) report(`- ${note}`);
  const failed = record.figures.filter((f) => f.verdict === 'FAIL');
  report('');
  report(failed.length ? `FAIL: ${failed.map((f) => f.name).join('; ')}` : 'All targets met.');
  if (record.figures.some((f) => f.verdict === 'BUSY')) {
    report(
      'BUSY: other processes used the CPU during the run; run again on a quiet machine for clean figures.',
    );
  }
}

export function machineDescription(): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const memory = `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`;
  return `${availableParallelism()} × ${model}, ${memory}, Linux ${release()}, Node ${process.version}`;
}

export function verdict(pass: boolean): Verdict {
  return pass ? 'PASS' : 'FAIL';
}

const sectionTitles: Record<SectionKind, string> = {
  pglite: 'Embedded database (PGlite)',
  postgres: 'PostgreSQL',
  'back-office-pglite': 'Back office, embedded database (PGlite)',
  'back-office-postgres': 'Back office, PostgreSQL',
};

function section(record: BenchRecord): string {
  const rows = record.figures.map((f) => `| ${f.name} | ${f.measured} | ${f.target} | ${f.verdict} |`);
  return [
    `<!-- bench:${record.kind} -->`,
    `## ${sectionTitles[record.kind]}`,
    '',
    `Run on ${record.date.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${record.command}\` (took ${Math.round(record.tookSeconds)} s).`,
    '',
    `- Machine: ${machineDescription()}.`,
    `- Database: ${record.database}.`,
    '',
    '| Figure | Measured | Target | Result |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...record.notes.map((note) => `- ${note}`),
    `<!-- /bench:${record.kind} -->`,
  ].join('\n');
}

const intro = `# Benchmarks

Figures from \`npm run bench\` (\`bench/run.ts\`), written by the bench itself: each run rewrites the
section of the database it ran on. \`npm run bench\` measures the embedded database (PGlite);
\`DATABASE_URL=postgres://… npm run bench\` measures PostgreSQL, in a database \`baken_bench_<random>\`
that the bench creates on that server and drops afterwards. A run takes about two minutes.

How it measures:

- The app runs the way \`npm start\` runs it, as a process of its own (\`node --import tsx src/main.ts\`;
  NODE_ENV=development so it needs no secrets, LOG_LEVEL=warn), on a fresh temporary data dir. It is
  started once to initialise the data dir, stopped, and started again for the load runs, as every start
  after the first would be.
- The baseline is a bare Fastify route returning a fixed string (\`bench/bare-server.ts\`), in a
  process of its own beside the app. Both get 2 s of warm-up, then 10 s with 10 connections, in five
  alternating rounds of 2 s, so that other load on the machine affects both alike.
- Fixed rates are evenly spaced: one autocannon instance per request a second, each with one
  keep-alive connection, started 1000/rate ms apart. Latency is from writing the request to the end of
  the response; percentiles are exact (nearest rank over every response).
- Every intake submission and receipt login carries its own CSRF cookie and token (and submission
  key), fetched through the forms before the run, and comes from a reporter address of its own: the
  app trusts 127.0.0.1 as a proxy (TRUST_PROXY) and the bench sends X-Forwarded-For, as a reverse
  proxy would, so per-source limits see many reporters, not one. Non-303 answers count as errors.
- Floods: 20 connections post reports as fast as the app answers them while a public page is
  requested 50 times a second; once with 800 valid forms from as many addresses (each stores a
  report), once for 10 s with expired forms from one address (no CSRF cookie: read, validated and
  sent back with 403).
- Start-to-ready: from spawning the process to the first HTTP 200 on \`/\` (polled every 20 ms), on
  the data dir the benchmark filled; three restarts, median. Resident memory is VmRSS of the app
  process (the pid spawned is node itself, checked through /proc) right after the load runs.
- The load generator, the app and (for PostgreSQL) the database server share the machine's cores.
  Other work on the machine changes every figure, so the bench waits (up to 60 s) for a quiet
  machine, and reports the CPU share other processes took during the run: "BUSY" above 10%.

The back office (\`bench/back-office.ts\`, \`npm run bench:back-office\`; \`npm run bench\` runs it after
the bench above) is measured on a seeded database: \`npm run seed\` data (synthetic, Dutch; see
\`src/features/search/seed.ts\`), 10,000 cases on PGlite and 100,000 cases with 500,000 notes on
PostgreSQL, seeded into the fresh data dir or database (the seed ends with \`VACUUM ANALYZE\`). A
coordinator and an advisor get sessions made directly in the database; each page is requested at a
fixed rate with the same evenly spaced arrivals as above, after a warm-up. Latency percentiles are
exact (nearest rank over every response).
`;

/** Rewrites docs/benchmarks.md, replacing only this database's section. */
export function writeRecord(file: string, record: BenchRecord): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sections = new Map<SectionKind, string>();
  for (const match of existing.matchAll(/<!-- bench:([a-z-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g)) {
    sections.set(match[1] as SectionKind, match[0]);
  }
  sections.set(record.kind, section(record));
  // Sections other benches write (flood, soak) stay, after the ones this bench knows.
  const ordered = [
    ...sectionOrder.flatMap((kind) => sections.get(kind) ?? []),
    ...[...sections].filter(([kind]) => !sectionOrder.includes(kind)).map(([, text]) => text),
  ];
  writeFileSync(file, `${intro}\n${ordered.join('\n\n')}\n`);
}
