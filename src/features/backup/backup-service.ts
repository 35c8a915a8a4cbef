import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import {
  BackupDecryptStream,
  BackupEncryptStream,
  BackupFormatError,
  type BackupHeader,
  type BackupKind,
} from './backup-format.ts';
import { acquireDataDirLock, DataDirInUseError, type DataDirLock } from './data-dir-lock.ts';

/**
 * `npm run backup` and `npm run restore`: a consistent dump of the database, encrypted with the
 * backup key (backup-format.ts).
 *
 * PostgreSQL: `pg_dump --format=custom` (one snapshot, so consistent while the app runs), restored
 * with `pg_restore --single-transaction` into a database without tables.
 * Embedded (PGlite): the data directory as PGlite dumps it (tar.gz), taken while no other process
 * has it open (data-dir-lock.ts), after a checkpoint; restored into an empty data directory. PGlite
 * builds that dump in memory, which is fine for the sizes embedded mode is meant for.
 *
 * Expected failures are BackupError, with a message for the operator; the database URL and its
 * password never appear in one.
 */

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export type BackupTarget = { kind: 'postgres'; databaseUrl: string } | { kind: 'pglite'; dataDir: string };

/** The same choice as openDatabase: DATABASE_URL, or PGlite in `<DATA_DIR>/pglite`. */
export function backupTarget(config: { databaseUrl: string | undefined; dataDir: string }): BackupTarget {
  return config.databaseUrl
    ? { kind: 'postgres', databaseUrl: config.databaseUrl }
    : { kind: 'pglite', dataDir: config.dataDir };
}

export interface BackupResult {
  path: string;
  bytes: number;
  kind: BackupKind;
  createdAt: Date;
}

export interface RestoreSummary {
  kind: BackupKind;
  /** When the backup was made (from the file's header). */
  createdAt: Date;
  tables: number;
  rows: number;
  latestMigration: string | null;
}

/** `backups/baken-postgres-20261128T210136Z.bak`, relative to the working directory. */
export function defaultBackupPath(kind: BackupKind, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return join('backups', `baken-${kind}-${stamp}.bak`);
}

export async function createBackup(options: {
  target: BackupTarget;
  backupKey: Buffer;
  out?: string | undefined;
  now?: Date;
}): Promise<BackupResult> {
  const createdAt = options.now ?? new Date();
  const kind = options.target.kind;
  const path = resolve(options.out ?? defaultBackupPath(kind, createdAt));
  if (existsSync(path)) throw new BackupError(`${path} already exists; choose another --out`);
  const encrypt = () => new BackupEncryptStream({ backupKey: options.backupKey, kind, createdAt });
  if (options.target.kind === 'postgres') {
    const connection = libpqConnection(options.target.databaseUrl);
    const pgDump = findPostgresTool('pg_dump');
    await writeAtomically(path, async (file) => {
      const child = spawn(pgDump, ['--format=custom', '--no-password', `--dbname=${connection.dbname}`], {
        env: { ...toolEnvironment(), ...connection.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = childExit(child, 'pg_dump', connection.secret);
      try {
        await pipeline(child.stdout, encrypt(), file);
      } catch (error) {
        child.kill('SIGKILL');
        await exited.catch(() => undefined);
        throw error;
      }
      await exited;
    });
  } else {
    const dump = await dumpPGlite(options.target.dataDir);
    await writeAtomically(path, (file) => pipeline(Readable.from([dump]), encrypt(), file));
  }
  return { path, bytes: (await stat(path)).size, kind, createdAt };
}

/** Reads and checks the whole file once, so a restore never starts on a damaged one. */
export async function verifyBackup(file: string, backupKey: Buffer): Promise<BackupHeader> {
  const decrypt = new BackupDecryptStream({ backupKey });
  await pipeline(openBackup(file), decrypt, discard());
  if (!decrypt.header) throw new BackupFormatError('damaged', 'The backup file is damaged');
  return decrypt.header;
}

export async function restoreBackup(options: {
  target: BackupTarget;
  backupKey: Buffer;
  file: string;
}): Promise<RestoreSummary> {
  const file = resolve(options.file);
  const target = options.target;
  if (target.kind === 'postgres') {
    const header = await verifyBackup(file, options.backupKey);
    refuseOtherKind(header, target.kind);
    return {
      ...(await restorePostgres(file, options.backupKey, target.databaseUrl)),
      createdAt: header.createdAt,
    };
  }
  return restorePGlite(file, options.backupKey, target.dataDir);
}

function refuseOtherKind(header: BackupHeader, kind: BackupKind): void {
  if (header.kind === kind) return;
  const describe = (k: BackupKind) => (k === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'embedded (PGlite)');
  throw new BackupError(
    `This is a backup of an ${describe(header.kind)} database; the configured database is ${describe(kind)}. ` +
      (header.kind === 'postgres'
        ? 'Set DATABASE_URL to an empty PostgreSQL database.'
        : 'Unset DATABASE_URL and point DATA_DIR at a new directory.'),
  );
}

function openBackup(file: string): Readable {
  let size: number;
  try {
    const info = statSync(file);
    if (!info.isFile()) throw new BackupError(`${file} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size === 0) throw new BackupError(`${file} is empty`);
  return createReadStream(file);
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

/**
 * Writes to `<path>.part` (mode 0600, never over an existing file), flushes it to disk, then
 * renames: a backup file that exists is complete. On failure the part file is removed.
 */
async function writeAtomically(path: string, write: (file: Writable) => Promise<void>): Promise<void> {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const part = `${path}.part`;
  let handle;
  try {
    handle = await open(part, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError(`${part} exists: another backup is running, or one was interrupted (remove it)`);
    }
    throw error;
  }
  try {
    const file = handle;
    await write(
      new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          file.write(chunk).then(() => callback(), callback);
        },
      }),
    );
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(part, path);
    // The rename itself must survive a power cut too.
    const dir = await open(directory, 'r');
    await dir.sync().finally(() => dir.close());
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(part).catch(() => undefined);
    throw error;
  }
}

// --- PostgreSQL ---------------------------------------------------------------------------------

/**
 * The URL for `--dbname` without its password, which goes in PGPASSWORD: a command line is
 * visible to every local user (`ps`), the environment is not.
 */
export function libpqConnection(databaseUrl: string): {
  dbname: string;
  env: Record<string, string>;
  secret: string | undefined;
} {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new BackupError('DATABASE_URL is not a URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new BackupError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const password = url.password ? decodeURIComponent(url.password) : url.searchParams.get('password');
  url.password = '';
  url.searchParams.delete('password');
  return {
    dbname: url.toString(),
    env: password ? { PGPASSWORD: password } : {},
    secret: password ?? undefined,
  };
}

/**
 * What pg_dump and pg_restore inherit: the environment without Baken's keys and the database URL,
 * which they do not need and which another process of the same user could read in /proc.
 */
export function toolEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) =>
        !name.startsWith('BAKEN_') && name !== 'DATABASE_URL' && name !== 'SMTP_URL' && name !== 'REDIS_URL',
    ),
  );
}

/**
 * pg_dump/pg_restore: the highest version among /usr/lib/postgresql/<version>/bin (Debian, Ubuntu)
 * and PATH. pg_dump refuses a server newer than itself, so the newest one is the one that works.
 */
export function findPostgresTool(name: 'pg_dump' | 'pg_restore', env = process.env): string {
  const candidates = new Set<string>();
  const versioned = '/usr/lib/postgresql';
  if (existsSync(versioned)) {
    for (const version of readdirSync(versioned)) candidates.add(join(versioned, version, 'bin', name));
  }
  for (const directory of (env.PATH ?? '').split(':').filter(Boolean)) candidates.add(join(directory, name));
  let best: { path: string; version: number[] } | undefined;
  const seen = new Set<string>();
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      const real = realpathSync(path);
      if (seen.has(real)) continue;
      seen.add(real);
      const output = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
      const match = /(\d+)(?:\.(\d+))?/.exec(output);
      if (!match) continue;
      const version = [Number(match[1]), Number(match[2] ?? 0)];
      if (!best || compareVersions(version, best.version) > 0) best = { path, version };
    } catch {
      // Not there, not executable, or not working: not a candidate.
    }
  }
  if (!best) {
    throw new BackupError(
      `${name} not found (looked in PATH and /usr/lib/postgresql/*/bin). Install the PostgreSQL ` +
        'client tools of the server version or newer, e.g. apt install postgresql-client-15.',
    );
  }
  return best.path;
}

function compareVersions(a: number[], b: number[]): number {
  return (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);
}

/** Resolves when the tool exits with 0; otherwise a BackupError with the end of what it printed. */
function childExit(child: ChildProcess, name: string, secret: string | undefined): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exit = new Promise<void>((resolvePromise, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new BackupError(`Could not run ${name}: ${error.code ?? error.message}`));
    });
    child.once('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      let output = stderr.trim();
      if (secret) output = output.split(secret).join('***');
      reject(
        new BackupError(
          `${name} failed (${signal ? `signal ${signal}` : `exit code ${code}`})` +
            (output ? `:\n${output}` : ''),
        ),
      );
    });
  });
  // Awaited later, after the streams; until then a failure must not count as unhandled.
  exit.catch(() => undefined);
  return exit;
}

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    // pg's messages name host and port at most, never the password.
    throw new BackupError(`Cannot connect to the database in DATABASE_URL: ${(error as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function restorePostgres(
  file: string,
  backupKey: Buffer,
  databaseUrl: string,
): Promise<Omit<RestoreSummary, 'createdAt'>> {
  await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ count: number }>(
      "select count(*)::int as count from pg_catalog.pg_tables where schemaname = 'public'",
    );
    const count = rows[0]?.count ?? 0;
    if (count > 0) {
      throw new BackupError(
        `Refusing to restore: the database in DATABASE_URL is not empty (${count} tables in schema public). ` +
          'Restore into a new database (createdb), then point DATABASE_URL at it.',
      );
    }
  });
  const connection = libpqConnection(databaseUrl);
  const pgRestore = findPostgresTool('pg_restore');
  const child = spawn(
    pgRestore,
    [
      `--dbname=${connection.dbname}`,
      '--no-owner',
      '--exit-on-error',
      '--single-transaction',
      '--no-password',
    ],
    { env: { ...toolEnvironment(), ...connection.env }, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const exited = childExit(child, 'pg_restore', connection.secret);
  const decrypt = new BackupDecryptStream({ backupKey });
  // Killed before its input closes: pg_restore never sees the end of a stream that failed, so its
  // single transaction cannot commit.
  decrypt.once('error', () => child.kill('SIGKILL'));
  let streamError: Error | undefined;
  try {
    await pipeline(openBackup(file), decrypt, child.stdin);
  } catch (error) {
    streamError = error instanceof Error ? error : new Error(String(error));
    child.kill('SIGKILL');
  }
  try {
    await exited;
  } catch (error) {
    // pg_restore's own complaint explains more than the broken pipe it caused.
    if (!(streamError instanceof BackupFormatError)) throw error;
  }
  if (streamError) throw streamError;
  return withClient(databaseUrl, (client) =>
    summarise('postgres', async (sql) => (await client.query<Record<string, unknown>>(sql)).rows),
  );
}

// --- PGlite -------------------------------------------------------------------------------------

const pgliteOptions = { postgresqlconf: ['shared_buffers=32MB'] };

function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/**
 * Holds the data-dir lock for `work`. PGlite's `postmaster.pid` is there while a process has the
 * data dir open, and after one stopped uncleanly: refused either way, as `audit:verify` does, since
 * a Baken that does not take the lock (older, or another tool) may be using it.
 */
async function withDataDirLock<T>(dataDir: string, holder: string, work: () => Promise<T>): Promise<T> {
  let lock: DataDirLock;
  try {
    lock = acquireDataDirLock(dataDir, holder);
  } catch (error) {
    if (error instanceof DataDirInUseError) throw new BackupError(error.message);
    throw error;
  }
  try {
    const pidFile = join(pgliteDir(dataDir), 'postmaster.pid');
    if (existsSync(pidFile)) {
      throw new BackupError(
        `The embedded database in ${dataDir} may be in use (${pidFile} exists). Stop Baken and try ` +
          'again; if Baken is not running, it did not stop cleanly: start and stop it once.',
      );
    }
    return await work();
  } finally {
    lock.release();
  }
}

async function dumpPGlite(dataDir: string): Promise<Buffer> {
  return withDataDirLock(dataDir, 'a backup (npm run backup)', async () => {
    const directory = pgliteDir(dataDir);
    if (!existsSync(join(directory, 'PG_VERSION'))) {
      throw new BackupError(`No embedded database in ${directory}: nothing to back up`);
    }
    const pglite = await PGlite.create(directory, pgliteOptions);
    try {
      // Everything in the data files, so the copy needs no WAL replay to be complete.
      await pglite.exec('checkpoint');
      const dump = await pglite.dumpDataDir('gzip');
      return Buffer.from(await dump.arrayBuffer());
    } finally {
      await pglite.close();
    }
  });
}

async function restorePGlite(file: string, backupKey: Buffer, dataDir: string): Promise<RestoreSummary> {
  return withDataDirLock(dataDir, 'a restore (npm run restore)', async () => {
    const directory = pgliteDir(dataDir);
    if (existsSync(directory) && readdirSync(directory).length > 0) {
      throw new BackupError(
        `Refusing to restore: ${directory} is not empty. Restore into a new DATA_DIR ` +
          '(keep its secrets.json, or set the keys in the environment).',
      );
    }
    // PGlite loads a data dir from memory anyway; collecting it also checks the whole file first.
    const chunks: Buffer[] = [];
    let header: BackupHeader | undefined;
    await pipeline(
      openBackup(file),
      new BackupDecryptStream({
        backupKey,
        onHeader: (parsed) => {
          header = parsed;
          refuseOtherKind(parsed, 'pglite');
        },
      }),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      }),
    );
    if (!header) throw new BackupFormatError('damaged', 'The backup file is damaged');
    const createdAt = header.createdAt;
    const existed = existsSync(directory);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    try {
      const pglite = await PGlite.create(directory, {
        ...pgliteOptions,
        loadDataDir: new Blob([Buffer.concat(chunks)], { type: 'application/x-gzip' }),
      });
      try {
        const summary = await summarise(
          'pglite',
          async (sql) => (await pglite.query<Record<string, unknown>>(sql)).rows,
        );
        return { ...summary, createdAt };
      } finally {
        await pglite.close();
      }
    } catch (error) {
      // It was empty before: leave nothing half-restored behind.
      rmSync(directory, { recursive: true, force: true });
      if (existed) mkdirSync(directory, { mode: 0o700 });
      throw error;
    }
  });
}

// --- both ---------------------------------------------------------------------------------------

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function summarise(
  kind: BackupKind,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<Omit<RestoreSummary, 'createdAt'>> {
  const tables = (
    await query("select tablename from pg_catalog.pg_tables where schemaname = 'public' order by 1")
  ).map((row) => String(row.tablename));
  let rows = 0;
  for (const table of tables) {
    const [result] = await query(`select count(*)::int as count from public.${quoteIdentifier(table)}`);
    rows += Number(result?.count ?? 0);
  }
  const latestMigration = tables.includes('schema_migration')
    ? ((await query('select max(name) as name from schema_migration'))[0]?.name as string | null)
    : null;
  return { kind, tables: tables.length, rows, latestMigration };
}
