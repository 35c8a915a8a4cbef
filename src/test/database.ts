import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPGlite, openPostgres, type DatabaseHandle } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { loadIndicatorLists, syncIndicatorDefinitions } from '../features/indicators/indicator-lists.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database on
 * the server in DATABASE_URL (dropped again by `close`).
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const serverUrl = process.env.DATABASE_URL;
  const handle = serverUrl ? await createServerDatabase(serverUrl) : await openPGlite(undefined);
  await migrate(handle.db);
  // As at start (main.ts): the indicator lists are data the app expects in the database.
  await syncIndicatorDefinitions(handle.db, loadIndicatorLists());
  return handle;
}

async function createServerDatabase(serverUrl: string): Promise<DatabaseHandle> {
  const name = `baken_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), 5);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await withAdminClient(serverUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
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
