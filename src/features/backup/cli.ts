import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../config/config.ts';
import { BackupFormatError } from './backup-format.ts';
import { BackupError, backupTarget, createBackup, restoreBackup } from './backup-service.ts';

/**
 * The operator commands, as functions of arguments and environment so tests run them in-process.
 * Exit codes: 0 done; 1 refused or failed (the message says why); 2 wrong arguments.
 * Expected failures print one message, no stack trace.
 */

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

type Env = Record<string, string | undefined>;

const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

class UsageError extends Error {}

export async function runBackupCli(
  argv: string[],
  env: Env = process.env,
  output: CliOutput = processOutput,
): Promise<number> {
  return run('backup', output, async () => {
    const { values } = parse(argv, 'npm run backup [-- --out FILE]', {
      options: { out: { type: 'string', short: 'o' } },
      allowPositionals: false,
    });
    const config = configFrom(env);
    const result = await createBackup({
      target: backupTarget(config),
      backupKey: backupKeyOf(config),
      out: typeof values.out === 'string' ? userPath(env, values.out) : undefined,
    });
    output.out(`Backup written: ${result.path} (${result.bytes} bytes, ${describeKind(result.kind)})`);
  });
}

export async function runRestoreCli(
  argv: string[],
  env: Env = process.env,
  output: CliOutput = processOutput,
): Promise<number> {
  return run('restore', output, async () => {
    const { positionals } = parse(argv, 'npm run restore FILE', { options: {}, allowPositionals: true });
    const [file, ...rest] = positionals;
    if (!file || rest.length > 0) throw new UsageError('Usage: npm run restore FILE');
    refuseNewSecretsFile(env);
    const config = configFrom(env);
    const target = backupTarget(config);
    const summary = await restoreBackup({
      target,
      backupKey: backupKeyOf(config),
      file: userPath(env, file),
    });
    const into = target.kind === 'postgres' ? 'the database in DATABASE_URL' : join(target.dataDir, 'pglite');
    output.out(
      `Restored ${describeKind(summary.kind)} backup made ${summary.createdAt.toISOString()} into ${into}: ` +
        `${summary.tables} tables, ${summary.rows} rows` +
        (summary.latestMigration ? `, migrations up to ${summary.latestMigration}` : '') +
        '.',
    );
    output.out(
      'Start Baken with the BAKEN_SECRET_KEY and BAKEN_ENCRYPTION_KEYS of the installation that made ' +
        'the backup: without them, encrypted data and receipt codes cannot be used.',
    );
  });
}

async function run(command: string, output: CliOutput, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(error.message);
      return 2;
    }
    if (error instanceof BackupFormatError) {
      output.err(`${command}: ${error.message}${error.reason === 'wrong-key' ? `. ${WRONG_KEY_HINT}` : ''}`);
      return 1;
    }
    if (error instanceof BackupError || error instanceof ConfigError) {
      output.err(`${command}: ${error.message}`);
      return 1;
    }
    output.err(
      `${command} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}

const WRONG_KEY_HINT =
  'Use the BAKEN_BACKUP_KEY of the installation that made it (embedded mode: the backupKey in its secrets.json)';

class ConfigError extends Error {}

function configFrom(env: Env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

function parse(
  argv: string[],
  usage: string,
  config: { options: Record<string, { type: 'string'; short?: string }>; allowPositionals: boolean },
): { values: Record<string, unknown>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, strict: true, ...config });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\nUsage: ${usage}`);
  }
}

function backupKeyOf(config: Config): Buffer {
  if (config.secrets.backupKey) return config.secrets.backupKey;
  throw new BackupError(
    'BAKEN_BACKUP_KEY is not set. Backups are encrypted with their own key: 32 random bytes, base64, ' +
      'kept apart from the backups (see README, Backup and restore).',
  );
}

/**
 * Outside production, loading the configuration creates `<DATA_DIR>/secrets.json` when it is
 * missing. For a restore that would be a fresh backup key that opens nothing (and fresh data keys
 * that read nothing): say what is missing instead.
 */
function refuseNewSecretsFile(env: Env): void {
  if (env.NODE_ENV === 'production' || env.BAKEN_BACKUP_KEY?.trim()) return;
  const file = join(resolve(env.DATA_DIR ?? 'data'), 'secrets.json');
  if (existsSync(file)) return;
  throw new BackupError(
    `No backup key: ${file} does not exist. Copy the secrets.json of the installation that made ` +
      'the backup there, or set BAKEN_BACKUP_KEY (and BAKEN_SECRET_KEY, BAKEN_ENCRYPTION_KEYS).',
  );
}

/** npm runs scripts in the package directory; a path typed by the operator means where they were. */
function userPath(env: Env, path: string): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}

function describeKind(kind: 'pglite' | 'postgres'): string {
  return kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite';
}
