import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { loadConfig } from '../../config/config.ts';
import { openPGlite, type DatabaseHandle } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { createTestDatabase } from '../../test/database.ts';
import { seedReport } from '../../test/reports.ts';
import type { TestApp } from '../../test/app.ts';
import { loadIndicatorLists, syncIndicatorDefinitions } from '../indicators/indicator-lists.ts';
import { seedDatabase } from '../search/seed.ts';
import { quoteIdentifier } from './backup-service.ts';
import { runBackupCli, runRestoreCli, type CliOutput } from './cli.ts';

/**
 * The whole path an operator takes: `npm run backup` on a seeded database, `npm run restore` into
 * an empty one, then every table and sequence compared. On PGlite without DATABASE_URL, on
 * PostgreSQL with it (pg_dump and pg_restore must then be installed).
 */

const serverUrl = process.env.DATABASE_URL;
const b64 = () => randomBytes(32).toString('base64');
const keys = {
  NODE_ENV: 'test',
  BAKEN_SECRET_KEY: b64(),
  BAKEN_ENCRYPTION_KEYS: `t1:${b64()}`,
  BAKEN_BACKUP_KEY: b64(),
};

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/** Every table's rows and every sequence's state, as text, in a fixed order. */
async function contents(query: Query): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  const tables = await query(
    "select table_name as name from information_schema.tables where table_schema = 'public' " +
      "and table_type = 'BASE TABLE' order by 1",
  );
  for (const { name } of tables) {
    const rows = await query(
      `select t::text as row from public.${quoteIdentifier(String(name))} t order by 1`,
    );
    result[`table ${String(name)}`] = rows.map((row) => String(row.row));
  }
  const sequences = await query(
    "select sequence_name as name from information_schema.sequences where sequence_schema = 'public' order by 1",
  );
  for (const { name } of sequences) {
    const rows = await query(
      `select last_value::text || ' ' || is_called::text as row from public.${quoteIdentifier(String(name))}`,
    );
    result[`sequence ${String(name)}`] = rows.map((row) => String(row.row));
  }
  return result;
}

async function seed(handle: DatabaseHandle, env: Record<string, string>): Promise<void> {
  const config = loadConfig(env);
  await seedDatabase(handle.db, config.secrets.encryptionKeys, { cases: 3, notesPerCase: 2, seed: 7 });
  // seedReport only needs the database and the configuration of a test app.
  const app = { database: handle, config } as unknown as TestApp;
  await seedReport(app, { narrative: 'Een melding met "aanhalingstekens", \\ en een regel\nerbij' });
}

function capture(): CliOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

function assertSubstantial(snapshot: Record<string, string[]>): void {
  const tables = Object.keys(snapshot).filter((name) => name.startsWith('table '));
  assert.ok(tables.length >= 20, `expected the whole schema, got ${tables.length} tables`);
  assert.equal(snapshot['table case_file']?.length, 3);
  assert.ok((snapshot['table report']?.length ?? 0) >= 1);
  for (const table of ['data_key', 'case_person', 'case_note', 'receipt', 'indicator_definition']) {
    assert.ok((snapshot[`table ${table}`]?.length ?? 0) > 0, `${table} has rows to compare`);
  }
}

/** The file with one byte changed in its middle: still the right size and header. */
function tampered(file: string): string {
  const bytes = readFileSync(file);
  const index = Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  const copy = `${file}.tampered`;
  writeFileSync(copy, bytes);
  return copy;
}

const work = mkdtempSync(join(tmpdir(), 'baken-backup-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('backup and restore', { skip: serverUrl !== undefined }, () => {
  const source = join(work, 'source');
  const target = join(work, 'target');
  const file = join(work, 'embedded.bak');
  let original: Record<string, string[]>;

  before(async () => {
    const env = { ...keys, DATA_DIR: source };
    const handle = await openPGlite(join(source, 'pglite'));
    try {
      await migrate(handle.db);
      await syncIndicatorDefinitions(handle.db, loadIndicatorLists());
      await seed(handle, env);
      const { sql } = await import('kysely');
      original = await contents(
        async (text) => (await sql.raw<Record<string, unknown>>(text).execute(handle.db)).rows,
      );
    } finally {
      await handle.close();
    }
  });

  it('round-trips an embedded database: every table and sequence identical', async () => {
    assertSubstantial(original);
    const output = capture();
    assert.equal(
      await runBackupCli(['--out', file], { ...keys, DATA_DIR: source }, output),
      0,
      output.lines.join('\n'),
    );
    const size = statSync(file).size;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(
      output.lines.join('\n'),
      new RegExp(`Backup written: ${file} \\(${size} bytes, embedded PGlite\\)`),
    );
    assert.ok(!existsSync(join(source, 'baken.lock')), 'the lock is released');

    // A changed byte: refused before anything is written into the target.
    const broken = capture();
    assert.equal(await runRestoreCli([tampered(file)], { ...keys, DATA_DIR: target }, broken), 1);
    assert.match(broken.lines.join('\n'), /damaged/);
    assert.ok(!existsSync(join(target, 'pglite')), 'nothing restored from a tampered file');

    const restored = capture();
    assert.equal(
      await runRestoreCli([file], { ...keys, DATA_DIR: target }, restored),
      0,
      restored.lines.join('\n'),
    );
    assert.match(restored.lines.join('\n'), /Restored embedded PGlite backup made .* \d+ tables, \d+ rows/);

    const pglite = await PGlite.create(join(target, 'pglite'));
    try {
      assert.deepEqual(
        await contents(async (text) => (await pglite.query<Record<string, unknown>>(text)).rows),
        original,
      );
    } finally {
      await pglite.close();
    }

    const again = capture();
    assert.equal(await runRestoreCli([file], { ...keys, DATA_DIR: target }, again), 1);
    assert.match(again.lines.join('\n'), /Refusing to restore: .* is not empty/);
  });
});

describe('backup and restore on PostgreSQL', { skip: serverUrl === undefined }, () => {
  const created: string[] = [];
  let sourceUrl = '';
  let original: Record<string, string[]>;
  let sourceHandle: DatabaseHandle | undefined;

  const urlFor = (name: string) => {
    const url = new URL(serverUrl ?? '');
    url.pathname = `/${name}`;
    return url.toString();
  };
  async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
  const query =
    (url: string): Query =>
    (text) =>
      admin(url, async (client) => (await client.query<Record<string, unknown>>(text)).rows);

  before(async () => {
    sourceHandle = await createTestDatabase();
    const { sql } = await import('kysely');
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(sourceHandle.db);
    sourceUrl = urlFor(rows[0]?.name ?? '');
    await seed(sourceHandle, { ...keys, DATA_DIR: work });
    original = await contents(query(sourceUrl));
  });

  after(async () => {
    await sourceHandle?.close();
    for (const name of created) {
      await admin(serverUrl ?? '', (client) => client.query(`drop database if exists ${name} with (force)`));
    }
  });

  it('round-trips a PostgreSQL database: every table and sequence identical', async () => {
    assertSubstantial(original);
    const file = join(work, 'postgres.bak');
    const env = { ...keys, DATA_DIR: work, DATABASE_URL: sourceUrl };
    const output = capture();
    assert.equal(await runBackupCli(['--out', file], env, output), 0, output.lines.join('\n'));
    assert.match(output.lines.join('\n'), /Backup written: .*postgres\.bak \(\d+ bytes, PostgreSQL\)/);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const name = `baken_test_${randomBytes(6).toString('hex')}`;
    await admin(serverUrl ?? '', (client) => client.query(`create database ${name}`));
    created.push(name);
    const targetEnv = { ...keys, DATA_DIR: work, DATABASE_URL: urlFor(name) };

    const broken = capture();
    assert.equal(await runRestoreCli([tampered(file)], targetEnv, broken), 1);
    assert.match(broken.lines.join('\n'), /damaged/);
    assert.deepEqual(await contents(query(urlFor(name))), {}, 'nothing restored from a tampered file');

    const restored = capture();
    assert.equal(await runRestoreCli([file], targetEnv, restored), 0, restored.lines.join('\n'));
    assert.match(restored.lines.join('\n'), /Restored PostgreSQL backup made .* \d+ tables, \d+ rows/);
    assert.deepEqual(await contents(query(urlFor(name))), original);

    const again = capture();
    assert.equal(await runRestoreCli([file], targetEnv, again), 1);
    assert.match(again.lines.join('\n'), /Refusing to restore: the database in DATABASE_URL is not empty/);
    assert.ok(!again.lines.join('\n').includes(serverUrl ?? ''), 'the URL is never printed');
  });
});

describe('backup keys', () => {
  it('refuses to back up in production without BAKEN_BACKUP_KEY', async () => {
    const output = capture();
    const out = join(work, 'production.bak');
    const code = await runBackupCli(
      ['--out', out],
      {
        NODE_ENV: 'production',
        DATA_DIR: join(work, 'production'),
        DATABASE_URL: 'postgres://baken:hunter2@127.0.0.1:1/baken',
        BAKEN_SECRET_KEY: b64(),
        BAKEN_ENCRYPTION_KEYS: `k1:${b64()}`,
        PUBLIC_URL: 'https://meldpunt.example.org',
        SMTP_URL: 'smtp://127.0.0.1:1',
      },
      output,
    );
    assert.equal(code, 1);
    assert.match(output.lines.join('\n'), /BAKEN_BACKUP_KEY is not set/);
    assert.ok(!existsSync(out) && !existsSync(join(work, 'production', 'secrets.json')));
  });

  it('adds a backup key to a secrets file written before backups existed, keeping the other keys', () => {
    const dataDir = join(work, 'old-secrets');
    mkdirSync(dataDir, { mode: 0o700 });
    const file = join(dataDir, 'secrets.json');
    const old = { secretKey: b64(), encryptionKeys: `k1:${b64()}` };
    writeFileSync(file, JSON.stringify(old), { mode: 0o600 });
    const first = loadConfig({ DATA_DIR: dataDir });
    const backupKey = first.secrets.backupKey;
    assert.equal(backupKey?.length, 32);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    assert.deepEqual(written, { ...old, backupKey: backupKey.toString('base64') });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadConfig({ DATA_DIR: dataDir }).secrets, first.secrets, 'the same key ever after');
  });
});
