import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { report } from './output.ts';
import { createBenchDatabase, type BenchDatabase } from './postgres.ts';
import { killAllChildrenSync } from './processes.ts';

/**
 * What a bench leaves behind (child processes, data dirs, a database of its own), removed on every
 * way out: the end of the run, an error, or SIGINT/SIGTERM. A bench makes its data dirs and database
 * through here, calls `cleanUpOnSignals` at start and runs its work through `runBench`.
 */
const tempDirs: string[] = [];
let benchDatabase: BenchDatabase | undefined;

/** A fresh directory under the system temp dir, removed when the bench ends. */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** With a server URL, a database of the bench's own on that server, dropped when the bench ends. */
export async function benchDatabaseOn(adminUrl: string | undefined): Promise<BenchDatabase | undefined> {
  if (adminUrl) benchDatabase = await createBenchDatabase(adminUrl);
  return benchDatabase;
}

function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function cleanUpOnSignals(): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      report(`\n${signal}: stopping the bench and cleaning up`);
      killAllChildrenSync();
      removeTempDirs();
      const dropped = benchDatabase ? benchDatabase.drop().catch(() => undefined) : Promise.resolve();
      void Promise.race([dropped, delay(5000)]).finally(() => process.exit(130));
    });
  }
}

/**
 * Runs the bench, cleans up whatever happened, and exits with the code `run` returns (1 when it
 * throws: the bench itself could not run).
 */
export async function runBench(what: string, run: () => Promise<number>): Promise<never> {
  let exitCode = 1;
  try {
    exitCode = await run();
  } catch (error) {
    report(
      `\nThe ${what} could not complete: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    killAllChildrenSync();
    removeTempDirs();
    if (benchDatabase) {
      const { name } = benchDatabase;
      await benchDatabase
        .drop()
        .catch((error: unknown) => report(`Could not drop database ${name}: ${String(error)}`));
    }
  }
  process.exit(exitCode);
}
