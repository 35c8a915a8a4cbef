import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase } from './database.ts';
import { inputValue } from './http-client.ts';
import { validReport } from './fixtures.ts';

/**
 * Test support: the real server (`node --import tsx src/main.ts`) as a child process, a small
 * fetch-based browser stand-in with cookies, and throw-away databases on the PostgreSQL server of
 * DATABASE_URL. Not imported by the app.
 */

const repoRoot = join(import.meta.dirname, '..', '..');
/** Generous: a cold start compiles TypeScript and, on PGlite, migrates an empty database. */
export const STARTUP_TIMEOUT_MS = 120_000;

/** Fixed secrets, so a restarted process reads what the killed one wrote. */
export const fixedSecrets = () => ({
  BAKEN_SECRET_KEY: randomBytes(32).toString('base64'),
  BAKEN_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
});

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  child: ChildProcess;
  /** Every line the process wrote to standard output (JSON log lines and console text). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line (already written or still to come) that passes `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

export async function startServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  // The test runner's markers must not make the child think it is a test file; the suite's database
  // URL is for the test, the child gets its own (or none: PGlite).
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    env: { ...childEnv, NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const watchers = new Set<(line: string) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const watch of watchers) watch(line);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitForLine = (test: (line: string) => boolean, timeoutMs = STARTUP_TIMEOUT_MS) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find(test);
      if (found !== undefined) {
        resolve(found);
        return;
      }
      const done = () => {
        watchers.delete(watch);
        clearTimeout(timer);
      };
      const watch = (line: string) => {
        if (!test(line)) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No such line within ${timeoutMs} ms; output:\n${lines.slice(-20).join('\n')}`));
      }, timeoutMs);
      watchers.add(watch);
      void exited.then(({ code, signal }) => {
        if (!watchers.has(watch)) return;
        done();
        reject(
          new Error(
            `Server exited (${code ?? signal}) first; output:\n${lines.slice(-20).join('\n')}\n${stderr.join('').slice(-3000)}`,
          ),
        );
      });
    });

  const listening = await waitForLine((line) => line.includes('"Baken listening'));
  const address = (JSON.parse(listening) as { address: string }).address;
  const port = Number(new URL(address).port);
  return { url: `http://127.0.0.1:${port}`, port, child, lines, exited, waitForLine };
}

/**
 * Makes `dir` a migrated PGlite data directory, from the test helpers' in-memory snapshot: migrating
 * an empty PGlite inside the server costs many seconds of WebAssembly work on a busy machine, and the
 * tests here are about what happens after the first start. Returns false (and leaves `dir` alone,
 * for the server to migrate) when the helpers hand out no PGlite instance to copy.
 */
export async function seedPGliteDataDir(dir: string): Promise<boolean> {
  const seed = await createTestDatabase();
  try {
    const pglite = (seed as { pglite?: unknown }).pglite;
    if (!(pglite instanceof PGlite)) return false;
    const copy = await PGlite.create(dir, { loadDataDir: await pglite.dumpDataDir('gzip') });
    await copy.close();
    return true;
  } finally {
    await seed.close();
  }
}

/** The parsed JSON log lines of a process (console text skipped). */
export function logRecords(server: ServerProcess): Record<string, unknown>[] {
  return server.lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export interface Page {
  status: number;
  location: string | null;
  body: string;
}

/** A browser stand-in over real HTTP: keeps cookies, does not follow redirects. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(public base: string) {}

  async get(path: string): Promise<Page> {
    return this.#send(path, { method: 'GET' });
  }

  async postForm(path: string, fields: Record<string, string | string[]>): Promise<Page> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.#send(path, { method: 'POST', body });
  }

  async postMultipart(path: string, fields: Record<string, string | string[]>): Promise<Page> {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.#send(path, { method: 'POST', body });
  }

  async #send(path: string, init: { method: string; body?: URLSearchParams | FormData }): Promise<Page> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(new URL(path, this.base), {
      ...init,
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const split = pair.indexOf('=');
      const name = pair.slice(0, split).trim();
      const value = pair.slice(split + 1).trim();
      if (value === '' || /max-age=0/i.test(set)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  }
}

/**
 * The public report form as a person without JavaScript fills it in: start page, danger question,
 * form, confirmation. Returns the receipt code shown on the confirmation page; throws when a step is
 * answered otherwise. The server must allow forms without proof of work at once
 * (BAKEN_INTAKE_MIN_SECONDS=0) and enough of them from one source (see `unthrottledIntake`).
 */
export async function submitReportOverHttp(browser: Browser, narrative: string): Promise<string> {
  const expect = (page: Page, status: number, step: string) => {
    if (page.status !== status) throw new Error(`${step} answered ${page.status}, not ${status}`);
    return page;
  };
  const start = expect(await browser.get('/melden'), 200, 'the start page');
  const form = expect(
    await browser.postForm('/melden', { _csrf: inputValue(start.body, '_csrf'), acute_danger: 'no' }),
    200,
    'the danger question',
  );
  expect(
    await browser.postMultipart('/melden/versturen', {
      _csrf: inputValue(form.body, '_csrf'),
      submission_key: inputValue(form.body, 'submission_key'),
      acute_danger: 'no',
      ...validReport,
      narrative,
    }),
    303,
    'the report form',
  );
  const confirmation = expect(await browser.get('/melden/ontvangen'), 200, 'the confirmation page');
  const code = /data-receipt-code[^>]*>([\d ]+)</.exec(confirmation.body)?.[1];
  if (!code) throw new Error('the confirmation page shows no receipt code');
  return code.replace(/ /g, '');
}

/** Environment that lets a load test submit many reports from one address without proof of work. */
export const unthrottledIntake = {
  BAKEN_INTAKE_LIMIT_PER_HOUR: '100000',
  BAKEN_INTAKE_UNSOLVED_PER_HOUR: '100000',
  BAKEN_INTAKE_MIN_SECONDS: '0',
};

export { createScratchDatabase } from './database.ts';

/** Stops a process that a failed test left running, without waiting long. */
export async function killQuietly(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}
