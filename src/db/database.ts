import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGlitePool, pgliteParsers } from './pglite-pool.ts';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** The same JavaScript types on both engines (see pgliteParsers). */
const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(pg.types.builtins.INT8, 'text', (value) => Number(value));
pgTypes.setTypeParser(pg.types.builtins.DATE, 'text', (value) => value);

export function openPostgres(connectionString: string, maxConnections = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max: maxConnections, types: pgTypes });
  // An idle client losing its server connection must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/**
 * `dataDir` undefined means an in-memory database (tests). `loadDataDir` starts it from a data-dir
 * dump (PGlite's `dumpDataDir`), e.g. an already migrated one.
 */
export async function openPGlite(
  dataDir: string | undefined,
  options: { loadDataDir?: Blob } = {},
): Promise<DatabaseHandle & { pglite: PGlite }> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pglite = await PGlite.create(dataDir ?? 'memory://', {
    parsers: pgliteParsers,
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    // PGlite's 128 MB default buffer cache costs that much resident memory up front; a regional
    // centre's data fits in far less, and the operating system caches the data files anyway.
    postgresqlconf: ['shared_buffers=32MB'],
  });
  const pool = new PGlitePool(pglite);
  // PostgresDialect only needs connect() and end(); the cast documents that duck typing.
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPGlite(join(options.dataDir, 'pglite'));
}
