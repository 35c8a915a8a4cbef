import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirInUseError, LOCK_FILE } from './data-dir-lock.ts';
import { runBackupCli } from './cli.ts';

const work = mkdtempSync(join(tmpdir(), 'baken-lock-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(work, String((n += 1)));

function writeLock(dataDir: string, lock: Record<string, unknown>): void {
  acquireDataDirLock(dataDir, 'setup').release(); // creates the directory
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(lock));
}

/** A pid that certainly ran on this host and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(child.pid);
  return child.pid;
}

describe('data directory lock', () => {
  it('lets one holder in at a time, and is gone once released', () => {
    const dataDir = freshDir();
    const lock = acquireDataDirLock(dataDir, 'the app');
    const file = join(dataDir, LOCK_FILE);
    const content = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(content.pid, process.pid);
    assert.equal(content.host, hostname());
    assert.equal(lock.tookOverStale, false);
    assert.throws(() => acquireDataDirLock(dataDir, 'a backup'), DataDirInUseError);
    lock.release();
    assert.ok(!existsSync(file));
    acquireDataDirLock(dataDir, 'a backup').release();
  });

  it('refuses while another running process holds it', () => {
    const dataDir = freshDir();
    // The test runner that started this file: certainly running.
    writeLock(dataDir, { pid: process.ppid, host: hostname(), holder: 'the app', since: 'now' });
    assert.throws(
      () => acquireDataDirLock(dataDir, 'a backup'),
      (error: Error) =>
        error instanceof DataDirInUseError && /in use by the app \(pid \d+/.test(error.message),
    );
    assert.ok(existsSync(join(dataDir, LOCK_FILE)), 'a live lock is left alone');
  });

  it('takes over a lock whose process is gone, but never one from another host', () => {
    const dataDir = freshDir();
    writeLock(dataDir, { pid: deadPid(), host: hostname(), holder: 'the app', since: 'then' });
    const lock = acquireDataDirLock(dataDir, 'a backup');
    assert.equal(lock.tookOverStale, true);
    // The stale lock was moved aside (atomically) and then removed: nothing of it is left.
    assert.deepEqual(
      readdirSync(dataDir).filter((name) => name.startsWith(`${LOCK_FILE}.stale-`)),
      [],
    );
    lock.release();

    writeLock(dataDir, { pid: deadPid(), host: `not-${hostname()}`, holder: 'the app', since: 'then' });
    assert.throws(() => acquireDataDirLock(dataDir, 'a backup'), /on another host/);
  });

  it('leaves a just-created lock without content alone, and takes over an old one', () => {
    const dataDir = freshDir();
    acquireDataDirLock(dataDir, 'setup').release();
    const file = join(dataDir, LOCK_FILE);
    // Another process between creating the file and writing its pid: taking it would make two holders.
    writeFileSync(file, '');
    assert.throws(() => acquireDataDirLock(dataDir, 'a backup'), DataDirInUseError);
    assert.equal(readFileSync(file, 'utf8'), '', 'the other process keeps its lock');
    // Left empty by a crash long ago: nobody holds it.
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
    const lock = acquireDataDirLock(dataDir, 'a backup');
    assert.equal(lock.tookOverStale, true);
    lock.release();
  });

  it('makes npm run backup refuse an embedded database that is in use', async () => {
    const dataDir = freshDir();
    writeLock(dataDir, { pid: process.ppid, host: hostname(), holder: 'the app', since: 'now' });
    const lines: string[] = [];
    const code = await runBackupCli(
      ['--out', join(work, 'in-use.bak')],
      { NODE_ENV: 'test', DATA_DIR: dataDir },
      { out: (line) => lines.push(line), err: (line) => lines.push(line) },
    );
    assert.equal(code, 1);
    assert.match(lines.join('\n'), /^backup: The data directory is in use by the app/);
    assert.ok(!existsSync(join(work, 'in-use.bak')));
  });
});
