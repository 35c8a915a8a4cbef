import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * With DATABASE_URL set, the bench runs against a database of its own on that server, created here
 * and dropped afterwards, so the app's migrations and test data never touch the database in the URL.
 */
export interface BenchDatabase {
  url: string;
  name: string;
  serverVersion: string;
  /** The URL without password, for the record. */
  display: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `baken_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let serverVersion: string;
  try {
    const version = await admin.query<{ server_version: string }>('show server_version');
    serverVersion = version.rows[0]?.server_version ?? 'unknown';
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const display = new URL(adminUrl);
  display.password = '';
  display.pathname = '/<db>';
  return {
    url: url.toString(),
    name,
    serverVersion,
    display: display.toString().replace('%3Cdb%3E', '<db>'),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
