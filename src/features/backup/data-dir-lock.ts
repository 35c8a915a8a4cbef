import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One process at a time on an embedded (PGlite) data directory. PGlite does not enforce this: a
 * second process opens a data dir that is in use without complaint, overwrites its
 * `postmaster.pid` and removes it on close, and two PostgreSQL instances writing the same files
 * corrupt them. So every process that opens the data dir (the app, backup, restore) first creates
 * `<DATA_DIR>/baken.lock` exclusively, with its pid and host.
 *
 * A lock left by a process that is gone (a crash, a kill -9) is taken over: same host and the pid
 * no longer runs, or it is our own pid (a container restarted as pid 1 again) but not held by us.
 * A lock written on another host (a shared volume, another container) cannot be checked and is
 * never taken over.
 */

export const LOCK_FILE = 'baken.lock';

/**
 * A lock file is created empty and written just after: for this long, one without readable content
 * may be another process's, between the two steps, and is not taken over.
 */
export const UNWRITTEN_LOCK_GRACE_MS = 10_000;

interface LockContent {
  pid: number;
  host: string;
  holder: string;
  since: string;
}

export class DataDirInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  /** True when a lock left by a process that is gone was taken over (that process did not stop cleanly). */
  tookOverStale: boolean;
  release(): void;
}

const heldHere = new Set<string>();

/** `holder` says who holds it, for the message another process shows ("the app", "a backup"). */
export function acquireDataDirLock(dataDir: string, holder: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, LOCK_FILE);
  if (heldHere.has(file)) throw new DataDirInUseError(`${file} is already held by this process`);
  const content = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    holder,
    since: new Date().toISOString(),
  } satisfies LockContent);
  let tookOverStale = false;
  for (let attempt = 1; !createExclusively(file, content); attempt += 1) {
    const existing = readLock(file);
    if (existing === undefined) continue;
    refuseUnlessStale(file, existing);
    if (attempt >= 3) throw new DataDirInUseError(`Could not take over ${file}; try again`);
    takeOverStale(file, existing);
    tookOverStale = true;
  }
  heldHere.add(file);
  let released = false;
  return {
    tookOverStale,
    release: () => {
      if (released) return;
      released = true;
      heldHere.delete(file);
      if (readLock(file) === content) unlinkIfPresent(file);
    },
  };
}

/**
 * Removes the lock judged stale, and only that one: it is first renamed to a name of our own (atomic),
 * so of two processes taking over at once only one gets it; if what was renamed turns out to be
 * another process's new lock, it is put back (a hard link never overwrites) before trying again.
 */
function takeOverStale(file: string, judged: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (readLock(aside) !== judged) {
    try {
      linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  unlinkIfPresent(aside);
}

/** False when the file exists. */
function createExclusively(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The raw text (compared before removal); undefined when it disappeared meanwhile. */
function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refuseUnlessStale(file: string, raw: string): void {
  let lock: Partial<LockContent>;
  try {
    lock = JSON.parse(raw) as Partial<LockContent>;
  } catch {
    // A crash between creating and writing the file, or a process between the two right now.
    if (Date.now() - modifiedAt(file) < UNWRITTEN_LOCK_GRACE_MS) {
      throw new DataDirInUseError(
        `${file} is being taken by another process. If none is starting, wait a few seconds and try again.`,
      );
    }
    return;
  }
  const who = `${lock.holder ?? 'a Baken process'} (pid ${lock.pid ?? '?'} on ${lock.host ?? '?'}, since ${lock.since ?? '?'})`;
  if (lock.host !== hostname()) {
    throw new DataDirInUseError(
      `The data directory is locked by ${who}, on another host, which cannot be checked from here. ` +
        `If no Baken process uses it any more, remove ${file} and try again.`,
    );
  }
  if (typeof lock.pid === 'number' && lock.pid !== process.pid && isRunning(lock.pid)) {
    throw new DataDirInUseError(
      `The data directory is in use by ${who}. Stop it first. ` +
        `If that process is not Baken, remove ${file} and try again.`,
    );
  }
}

/** When the file last changed; 0 when it disappeared meanwhile (nothing to wait for). */
function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
