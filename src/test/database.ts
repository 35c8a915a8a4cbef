import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPGlite, openPostgres, type Database, type DatabaseHandle } from '../db/database.ts';
import { migrate, migrationsDir } from '../db/migrate.ts';
import {
  indicatorsDir,
  loadIndicatorLists,
  syncIndicatorDefinitions,
} from '../features/indicators/indicator-lists.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the server in DATABASE_URL (dropped again by `close`).
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const serverUrl = process.env.DATABASE_URL;
  const handle = serverUrl
    ? await createServerDatabase(serverUrl)
    : await openPGlite(undefined, { loadDataDir: await migratedPGliteSnapshot() });
  // A no-op on the snapshot; on a server, the whole schema.
  await prepare(handle.db);
  return handle;
}

/** As at start (main.ts): the schema, and the indicator lists the app expects as data. */
async function prepare(db: Database): Promise<void> {
  await migrate(db);
  await syncIndicatorDefinitions(db, loadIndicatorLists());
}

/**
 * Migrating an empty PGlite takes seconds of WebAssembly work in every test file; a dump of a migrated
 * one, made once per set of migrations, indicator lists and PGlite version, loads in a fraction of it.
 * Kept in the temporary directory; written to a unique name and renamed, so parallel test files
 * never read half a file.
 */
async function migratedPGliteSnapshot(): Promise<Blob> {
  const file = join(tmpdir(), `baken-test-pglite-${schemaFingerprint()}.tar.gz`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const fresh = await openPGlite(undefined);
  try {
    await prepare(fresh.db);
    const dump = await fresh.pglite.dumpDataDir('gzip');
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return dump;
  } finally {
    await fresh.close();
  }
}

function schemaFingerprint(): string {
  const hash = createHash('sha256');
  // The package's own version: a dump is only readable by the PGlite that wrote it.
  const pglite = join(import.meta.dirname, '..', '..', 'node_modules', '@electric-sql', 'pglite');
  hash.update(readFileSync(join(pglite, 'package.json')));
  for (const dir of [migrationsDir, indicatorsDir]) {
    for (const name of readdirSync(dir).sort()) {
      hash.update(name).update(readFileSync(join(dir, name)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function createServerDatabase(serverUrl: string): Promise<DatabaseHandle> {
  const scratch = await createScratchDatabase(serverUrl);
  const handle = openPostgres(scratch.url, 5);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** A new, empty database on the server of `serverUrl`; `drop` removes it (and its connections). */
export async function createScratchDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `baken_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdminClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)),
  };
}

async function withAdminClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
