import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Child processes of the bench: the Baken app (`node --import tsx src/main.ts`) and the bare Fastify
 * baseline, each in its own process. Every child is tracked so it can be killed on any exit path.
 */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** `performance.now()` just before spawning. */
  spawnedAt: number;
  /** The last lines of stdout and stderr, for diagnostics. */
  output: string[];
  /** `readyInMs` from the app's own "listening" log line, when logged (LOG_LEVEL=info). */
  readyInMs: Promise<number | undefined>;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
const repoRoot = new URL('..', import.meta.url).pathname;

export function liveChildPids(): number[] {
  return [...live].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/** Last resort on SIGINT or a crash: no graceful shutdown, just make sure nothing is left running. */
export function killAllChildrenSync(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('Could not find a free port');
  return address.port;
}

export function startServer(options: {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  port: number;
}): ServerProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', options.script], {
    cwd: repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  if (child.pid === undefined) throw new Error(`Could not start ${options.name}`);
  const output: string[] = [];
  let resolveReady: (value: number | undefined) => void = () => undefined;
  const readyInMs = new Promise<number | undefined>((resolve) => (resolveReady = resolve));
  const collect = (stream: NodeJS.ReadableStream | null, label: string) => {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        output.push(`${label}: ${line}`);
        if (output.length > 200) output.shift();
        const ready = readyInMsOf(line);
        if (ready !== undefined) resolveReady(ready);
      }
    });
  };
  collect(child.stdout, 'stdout');
  collect(child.stderr, 'stderr');
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolveReady(undefined);
      resolve(code);
    });
  });
  return {
    name: options.name,
    child,
    pid: child.pid,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    spawnedAt,
    output,
    readyInMs,
    exited,
  };
}

/**
 * The app's environment as `npm start` runs it, on a data dir and port of its own: PGlite there, or the
 * database at `databaseUrl`; never the DATABASE_URL or PUBLIC_URL of the shell the bench runs in.
 */
export function appEnv(options: {
  dataDir: string;
  port: number;
  logLevel: string;
  databaseUrl?: string | undefined;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: options.logLevel,
    DATA_DIR: options.dataDir,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    // As `npm start` sets it (package.json): large blocks go back to the system when freed.
    MALLOC_MMAP_THRESHOLD_: '131072',
  };
  delete env.DATABASE_URL;
  delete env.PUBLIC_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  return env;
}

function readyInMsOf(line: string): number | undefined {
  if (!line.includes('readyInMs')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && 'readyInMs' in parsed) {
      const value = parsed.readyInMs;
      return typeof value === 'number' ? value : undefined;
    }
  } catch {
    // Not a JSON log line.
  }
  return undefined;
}

/** Polls `GET path` every 20 ms; returns the time from spawn to the first 200. */
export async function waitUntilReady(server: ServerProcess, path = '/', timeoutMs = 60_000): Promise<number> {
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  while (performance.now() - server.spawnedAt < timeoutMs) {
    if (exitCode !== undefined) {
      throw new Error(`${server.name} exited with code ${String(exitCode)}:\n${server.output.join('\n')}`);
    }
    try {
      const response = await fetch(`${server.url}${path}`, { headers: { connection: 'close' } });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - server.spawnedAt;
    } catch {
      // Not listening yet.
    }
    await delay(20);
  }
  throw new Error(`${server.name} was not ready within ${timeoutMs} ms:\n${server.output.join('\n')}`);
}

/** SIGTERM (the app closes its database cleanly), then SIGKILL if it takes longer than 15 s. */
export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const stopped = await Promise.race([server.exited.then(() => true), delay(15_000).then(() => false)]);
  if (!stopped) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

export interface ProcessMemory {
  rssBytes: number;
  peakRssBytes: number;
  /** The process's command line, to confirm the pid is the server and not a wrapper. */
  commandLine: string;
  /** Child processes of the server, if any, with their resident memory. */
  children: { pid: number; commandLine: string; rssBytes: number }[];
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const children = readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
    .filter(Boolean)
    .map(Number)
    .map((childPid) => {
      try {
        return {
          pid: childPid,
          commandLine: commandLineOf(childPid),
          rssBytes: statusKb(readFileSync(`/proc/${childPid}/status`, 'utf8'), 'VmRSS') * 1024,
        };
      } catch {
        return { pid: childPid, commandLine: '(exited)', rssBytes: 0 };
      }
    });
  return {
    rssBytes: statusKb(status, 'VmRSS') * 1024,
    peakRssBytes: statusKb(status, 'VmHWM') * 1024,
    commandLine: commandLineOf(pid),
    children,
  };
}

function commandLineOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`No ${field} in /proc status`);
  return Number(match[1]);
}
