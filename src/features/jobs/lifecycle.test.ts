import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { openPGlite, openPostgres, type DatabaseHandle } from '../../db/database.ts';
import { receiptLookupKey } from '../intake/receipt.ts';
import { inputValue } from '../../test/http-client.ts';
import { validReport } from '../../test/fixtures.ts';
import {
  Browser,
  createScratchDatabase,
  fixedSecrets,
  killQuietly,
  seedPGliteDataDir,
  startServer,
  submitReportOverHttp,
  unthrottledIntake,
  type ServerProcess,
} from '../../test/server-process.ts';

/**
 * The real server as a process: killed with SIGKILL while reports come in, started again on the same
 * data, then stopped with SIGTERM while a request is still arriving. On PGlite by default, on a fresh
 * database of the server in DATABASE_URL when that is set. The three tests share one data set and run
 * in order.
 */

const SUBMITTERS = 4;
/** Confirmed reports to wait for before the kill: enough that the kill lands mid-load. */
const CONFIRMED_BEFORE_KILL = 10;

interface Confirmed {
  code: string;
  narrative: string;
}

/** Resolves once nothing accepts connections on the port any more. */
async function waitUntilRefused(port: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    if (Date.now() > until) throw new Error('The server kept accepting connections');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('server process: crash, restart and graceful shutdown', { timeout: 600_000 }, () => {
  const serverUrl = process.env.DATABASE_URL;
  const dataDir = mkdtempSync(join(tmpdir(), 'baken-lifecycle-'));
  const secrets = fixedSecrets();
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  const confirmed: Confirmed[] = [];
  let inFlightNarrative: string | undefined;

  before(async () => {
    scratch = serverUrl ? await createScratchDatabase(serverUrl) : undefined;
    if (!scratch) await seedPGliteDataDir(join(dataDir, 'pglite'));
    env = {
      DATA_DIR: dataDir,
      ...secrets,
      ...unthrottledIntake,
      BAKEN_SHUTDOWN_TIMEOUT_MS: '20000',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    };
  });
  after(async () => {
    await killQuietly(server);
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every confirmed report when killed with SIGKILL under load, and starts again on the same data', async () => {
    server = await startServer(env);
    const running = server;
    // An object, not a boolean: the submitters read it after awaits, when the kill may have happened.
    const load = { killed: false };
    const killed = () => load.killed;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let reachedTarget!: () => void;
    const target = new Promise<void>((resolve) => (reachedTarget = resolve));

    const submitter = async (worker: number) => {
      const browser = new Browser(running.url);
      for (let n = 0; !killed(); n++) {
        const narrative = `Belastingtest ${worker}-${n} ${randomUUID()}: werkt zeven dagen per week.`;
        inFlight++;
        try {
          const code = await submitReportOverHttp(browser, narrative);
          confirmed.push({ code, narrative });
          if (confirmed.length >= CONFIRMED_BEFORE_KILL) reachedTarget();
        } catch (error) {
          // Only the kill may break a submission.
          if (!killed()) throw error;
        } finally {
          inFlight--;
        }
      }
    };
    const submitters = Promise.all(Array.from({ length: SUBMITTERS }, (_, worker) => submitter(worker)));
    await Promise.race([target, submitters]);
    inFlightAtKill = inFlight;
    load.killed = true;
    running.child.kill('SIGKILL');
    const exit = await running.exited;
    await submitters;
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(confirmed.length >= CONFIRMED_BEFORE_KILL, 'the load produced confirmed reports');
    assert.ok(inFlightAtKill > 0, 'the kill landed while reports were being submitted');

    // Same data directory (PGlite) or database: it must open, and serve.
    server = await startServer(env);
    const first = confirmed[0];
    assert.ok(first);
    const reporter = new Browser(server.url);
    const login = await reporter.get('/mijn-melding');
    const signedIn = await reporter.postForm('/mijn-melding', {
      _csrf: inputValue(login.body, '_csrf'),
      code: first.code,
    });
    assert.equal(signedIn.status, 303, 'the receipt code of a report confirmed before the kill works');
    const mailbox = await reporter.get(signedIn.location ?? '');
    assert.ok(mailbox.body.includes(first.narrative), 'the mailbox shows the report as submitted');
    assert.match(
      await submitReportOverHttp(new Browser(server.url), 'Na de herstart: een nieuw verhaal.'),
      /^\d{16}$/,
    );
  });

  it('on SIGTERM stops taking connections, finishes the request in flight, and exits with 0', async () => {
    assert.ok(server, 'runs after the crash test');
    const running = server;
    // A report form whose body arrives slowly: headers first, then half, the rest after the signal.
    const browser = new Browser(running.url);
    const start = await browser.get('/melden');
    const page = await browser.postForm('/melden', {
      _csrf: inputValue(start.body, '_csrf'),
      acute_danger: 'no',
    });
    inFlightNarrative = `Tijdens het afsluiten ${randomUUID()}: het verhaal komt langzaam binnen.`;
    const form = new FormData();
    for (const [name, value] of Object.entries({
      _csrf: inputValue(page.body, '_csrf'),
      submission_key: inputValue(page.body, 'submission_key'),
      acute_danger: 'no',
      ...validReport,
      narrative: inFlightNarrative,
    })) {
      for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
    }
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    const slow = request({
      host: '127.0.0.1',
      port: running.port,
      method: 'POST',
      path: '/melden/versturen',
      agent: false,
      headers: {
        'content-type': encoded.headers.get('content-type') ?? '',
        'content-length': body.length,
        cookie: [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        // The server answers "100 Continue" once it has the request: then it is in flight.
        expect: '100-continue',
      },
    });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      slow.once('response', resolve);
      slow.once('error', reject);
    });
    slow.flushHeaders();
    // (`once` also rejects on a request error; an answer before "100 Continue" is a failure.)
    let continued = false;
    await Promise.race([
      once(slow, 'continue').then(() => (continued = true)),
      response.then(
        (early) => {
          if (!continued) throw new Error(`answered ${early.statusCode} before the body was sent`);
        },
        () => undefined,
      ),
    ]);
    slow.write(body.subarray(0, body.length >> 1));

    running.child.kill('SIGTERM');
    await running.waitForLine((line) => line.includes('"shutting down"'));
    await waitUntilRefused(running.port);
    assert.equal(running.child.exitCode, null, 'still running while a request is in flight');

    slow.end(body.subarray(body.length >> 1));
    const answer = await response;
    answer.resume();
    assert.equal(answer.statusCode, 303, 'the request in flight was answered normally');
    assert.equal(answer.headers.location, '/melden/ontvangen');
    const exit = await running.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(running.lines.some((line) => line.includes('"shutdown.done"')));
  });

  it('leaves every confirmed report intact, in a database that opens cleanly', async () => {
    assert.ok(inFlightNarrative, 'runs after the shutdown test');
    const database: DatabaseHandle = scratch
      ? openPostgres(scratch.url, 2)
      : await openPGlite(join(dataDir, 'pglite'));
    try {
      const secretKey = Buffer.from(secrets.BAKEN_SECRET_KEY, 'base64');
      const keys = confirmed.map((report) => receiptLookupKey(secretKey, report.code));
      const found = await database.db
        .selectFrom('receipt')
        .innerJoin('report', 'report.id', 'receipt.report_id')
        .select([
          'receipt.lookup_key',
          'report.narrative',
          'report.municipality',
          'report.exploitation_forms',
        ])
        .where('receipt.lookup_key', 'in', keys)
        .execute();
      const byKey = new Map(found.map((row) => [row.lookup_key, row]));
      for (const [index, report] of confirmed.entries()) {
        const stored = byKey.get(keys[index] ?? '');
        assert.ok(stored, `confirmed report ${index} is present`);
        assert.equal(stored.narrative, report.narrative);
        assert.equal(stored.municipality, validReport.municipality);
        assert.ok(stored.exploitation_forms.includes('labour'));
      }
      // A report and its receipt are one transaction: no report was left half-stored by the kill.
      const orphans = await database.db
        .selectFrom('report')
        .leftJoin('receipt', 'receipt.report_id', 'report.id')
        .select('report.id')
        .where('receipt.report_id', 'is', null)
        .execute();
      assert.deepEqual(orphans, []);
      const finished = await database.db
        .selectFrom('report')
        .select('id')
        .where('narrative', '=', inFlightNarrative)
        .execute();
      assert.equal(finished.length, 1, 'the request answered during shutdown was stored');
    } finally {
      await database.close();
    }
  });
});
