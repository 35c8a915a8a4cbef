import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.ts';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { seedDatabase } from './seed.ts';

/**
 * `npm run seed -- --cases N [--notes-per-case M] [--seed S]`: synthetic Dutch-language data in the
 * app's database (PGlite in DATA_DIR, or DATABASE_URL), for development and benchmarks. With PGlite
 * the app must be stopped (one process at a time can open the data dir). Refused in production.
 */
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    'notes-per-case': { type: 'string', default: '5' },
    seed: { type: 'string' },
    'batch-size': { type: 'string', default: '1000' },
  },
});

function wholeNumber(name: string, value: string | undefined, min: number): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}\n`);
    process.exit(2);
  }
  return number;
}

const cases = wholeNumber('cases', values.cases, 1);
const notesPerCase = wholeNumber('notes-per-case', values['notes-per-case'], 0);
const batchSize = wholeNumber('batch-size', values['batch-size'], 1);
const seed = values.seed === undefined ? undefined : wholeNumber('seed', values.seed, 0);

const config = loadConfig();
if (config.env === 'production') {
  process.stderr.write('Refusing to seed synthetic data with NODE_ENV=production.\n');
  process.exit(2);
}
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(database.db);
  let lastReport = 0;
  const summary = await seedDatabase(database.db, config.secrets.encryptionKeys, {
    cases,
    notesPerCase,
    batchSize,
    ...(seed === undefined ? {} : { seed }),
    onProgress: (done, total) => {
      if (done === total || performance.now() - lastReport > 2000) {
        lastReport = performance.now();
        process.stdout.write(`  ${done} / ${total} cases\n`);
      }
    },
  });
  const counts = Object.entries(summary.counts)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  process.stdout.write(
    `Seeded ${database.kind} in ${summary.seconds.toFixed(1)} s: ${counts}; ${summary.staff.length} staff users.\n`,
  );
} finally {
  await database.close();
}
