import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.ts';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { intactLine, parseCheckpoint, verifyAuditChain, type AuditCheckpoint } from './verify.ts';

/**
 * `npm run audit:verify`: checks the audit log's hash chain and prints one line.
 * Exit code 0: intact; 1: broken (the line names the first broken row); 2: could not check.
 *
 * `--expect <seq>:<hash>`: a checkpoint printed by an earlier run, kept outside the database. That row
 * must still be there with that hash, which shows the newest rows removed or the chain rewritten.
 *
 * Embedded mode: a PGlite data directory must only ever be open in one process, and PGlite itself
 * does not enforce that. While open, it holds a `postmaster.pid`, removed on a clean close; if that
 * file is there, this refuses to run. Stop Baken first (or, after a crash, start and stop it once).
 */

/** The result goes to stdout; "could not check" (2) to stderr. */
function finish(code: number, line: string): never {
  (code === 2 ? process.stderr : process.stdout).write(`${line}\n`);
  process.exit(code);
}

function checkpointFromArguments(): AuditCheckpoint | undefined {
  const { values } = parseArgs({ options: { expect: { type: 'string' } } });
  if (values.expect === undefined) return undefined;
  const checkpoint = parseCheckpoint(values.expect);
  if (!checkpoint) finish(2, 'audit:verify: --expect takes <seq>:<hash>, as printed by an earlier run');
  return checkpoint;
}

async function main(): Promise<void> {
  const expect = checkpointFromArguments();
  const config = loadConfig();
  if (!config.databaseUrl) {
    // The same directory as openDatabase uses for PGlite.
    const pidFile = join(config.dataDir, 'pglite', 'postmaster.pid');
    if (existsSync(pidFile)) {
      finish(
        2,
        `audit:verify: the embedded database in ${config.dataDir} is in use (${pidFile} exists). ` +
          'Stop Baken and run this again; if Baken is not running, it did not stop cleanly: start and ' +
          'stop it once.',
      );
    }
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database.db);
    const result = await verifyAuditChain(database.db, { expect });
    await database.close();
    if (result.ok) {
      finish(0, intactLine(result));
    }
    finish(
      1,
      `audit log BROKEN at seq ${result.firstBrokenSeq}: ${result.reason} (${result.count} intact before it)`,
    );
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  finish(
    2,
    `audit:verify could not check the log: ${error instanceof Error ? error.message : String(error)}`,
  );
});
