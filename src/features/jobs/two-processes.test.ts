import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openPostgres, type DatabaseHandle } from '../../db/database.ts';
import { hashSecret } from '../../crypto/passwords.ts';
import { STAFF_PASSWORD, totpNow } from '../../test/staff.ts';
import { inputValue } from '../../test/http-client.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../../test/smtp.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { withJobTables } from './scheduler.ts';
import {
  Browser,
  createScratchDatabase,
  fixedSecrets,
  killQuietly,
  startServer,
  type ServerProcess,
} from '../../test/server-process.ts';

/**
 * Two real app processes on one PostgreSQL database, with no sticky routing between them: what one
 * process starts (a session, a job's slot, a queued mail) the other honours, and nothing runs twice.
 * PGlite is embedded in one process by design, so without DATABASE_URL there is nothing to test.
 */
const serverUrl = process.env.DATABASE_URL;
const skip = serverUrl ? false : 'needs DATABASE_URL: two processes cannot share an embedded PGlite';

/** Resolves once `check` returns a value other than undefined, polling the database. */
async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('two app processes on one PostgreSQL database', { skip, timeout: 300_000 }, () => {
  const dataDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'baken-two-')));
  const secrets = fixedSecrets();
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let database: DatabaseHandle | undefined;
  let smtp: TestSmtpServer | undefined;
  let processes: ServerProcess[] = [];
  const db = () => {
    assert.ok(database, 'set up');
    return database.db;
  };

  before(async () => {
    scratch = await createScratchDatabase(serverUrl ?? '');
    const mail = await startTestSmtpServer();
    smtp = mail;
    const url = scratch.url;
    // Started together: they also race for the migrations (serialised by an advisory lock).
    processes = await Promise.all(
      dataDirs.map((dir) =>
        startServer({
          DATA_DIR: dir,
          DATABASE_URL: url,
          SMTP_URL: mail.url,
          MAIL_FROM: 'Baken <baken@example.org>',
          ...secrets,
          // Both look for due jobs and mail every 50 ms, so they really do race for each slot.
          BAKEN_JOB_POLL_MS: '50',
        }),
      ),
    );
    database = openPostgres(url, 2);
  });
  after(async () => {
    await Promise.all(processes.map((server) => killQuietly(server)));
    await database?.close();
    await smtp?.close();
    await scratch?.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a session made on one process on the other', async () => {
    const [a, b] = processes;
    assert.ok(a && b);
    const email = `beheerder-${randomUUID().slice(0, 8)}@example.org`;
    await db()
      .insertInto('staff_user')
      .values({
        id: randomUUID(),
        email,
        display_name: 'Beheerder',
        role: 'admin',
        password_hash: await hashSecret(STAFF_PASSWORD),
      })
      .execute();

    const onA = new Browser(a.url);
    const loginPage = await onA.get('/beheer/inloggen');
    const login = await onA.postForm('/beheer/inloggen', {
      _csrf: inputValue(loginPage.body, '_csrf'),
      email,
      password: STAFF_PASSWORD,
    });
    assert.equal(login.status, 303);
    const enrolPage = await onA.get('/beheer/tweestaps-instellen');
    const secret = /data-totp-secret[^>]*>([A-Z2-7 ]+)</.exec(enrolPage.body)?.[1]?.replace(/ /g, '');
    assert.ok(secret, 'the enrolment page shows the TOTP secret');
    const enrolled = await onA.postForm('/beheer/tweestaps-instellen', {
      _csrf: inputValue(enrolPage.body, '_csrf'),
      code: totpNow(secret),
    });
    assert.equal(enrolled.status, 200);
    assert.equal((await onA.get('/beheer')).status, 200);

    // The same cookies, sent to the other process: the session lives in the database.
    const onB = new Browser(b.url);
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);
    const home = await onB.get('/beheer');
    assert.equal(home.status, 200, 'process B accepts the session made on process A');
    const stranger = await new Browser(b.url).get('/beheer');
    assert.equal(stranger.status, 303, 'without the cookie, B sends a visitor to sign in');
  });

  it('runs a due job once across both processes, round after round', async (t) => {
    const jobs = withJobTables(db());
    const runsOf = async () =>
      await jobs
        .selectFrom('job_run')
        .select(['scheduled_for', 'runner', 'outcome'])
        .where('job_name', '=', 'expired-sessions')
        .execute();
    // Both registered the jobs at start; the first slot of 'expired-sessions' was "now" and ran once.
    await eventually(
      async () => ((await runsOf()).some((run) => run.outcome === 'ok') ? true : undefined),
      'the first run',
    );
    const runners = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const before = (await runsOf()).length;
      // Due a moment from now, while both processes poll every 50 ms: both see it due together.
      await jobs
        .updateTable('scheduled_job')
        .set({ next_run_at: sql<Date>`now() + interval '200 milliseconds'` })
        .where('name', '=', 'expired-sessions')
        .execute();
      await eventually(
        async () =>
          (await runsOf()).filter((run) => run.outcome === 'ok').length > before ? true : undefined,
        `run ${round}`,
      );
      const runs = await runsOf();
      assert.equal(runs.length, before + 1, `round ${round}: exactly one run`);
      const newest = runs.reduce((a, b) => (a.scheduled_for > b.scheduled_for ? a : b));
      runners.add(newest.runner);
    }
    const all = await runsOf();
    const slots = all.map((run) => run.scheduled_for.toISOString());
    assert.equal(new Set(slots).size, slots.length, 'no slot ran twice');
    const job = await jobs
      .selectFrom('scheduled_job')
      .selectAll()
      .where('name', '=', 'expired-sessions')
      .executeTakeFirstOrThrow();
    assert.equal(job.run_count, all.length);
    // Which process wins a round is chance; shown for the curious, not asserted.
    t.diagnostic(`rounds won by: ${[...runners].join(', ')}`);
  });

  it('sends each queued mail once, whichever process picks it up', async () => {
    const rootKey = Buffer.from(secrets.BAKEN_SECRET_KEY, 'base64');
    const addresses = Array.from({ length: 12 }, (_, i) => `ontvanger-${i}@example.org`);
    const ids = await db()
      .transaction()
      .execute(async (trx) => {
        const queued: string[] = [];
        for (const to of addresses) {
          queued.push(
            await enqueueMail(trx, rootKey, {
              kind: 'staff_invite',
              to,
              subject: 'Uitnodiging',
              body: 'Welkom.',
            }),
          );
        }
        return queued;
      });
    await eventually(async () => {
      const sent = await db()
        .selectFrom('mail_outbox')
        .select('id')
        .where('id', 'in', ids)
        .where('sent_at', 'is not', null)
        .execute();
      return sent.length === ids.length ? true : undefined;
    }, 'all mail sent');
    const received = (smtp?.received ?? []).filter((mail) => mail.to.some((to) => addresses.includes(to)));
    assert.deepEqual(received.map((mail) => mail.to[0]).sort(), [...addresses].sort(), 'each address once');
    const messageIds = received.map((mail) => /^Message-ID: (.+)$/im.exec(mail.raw)?.[1]?.trim());
    assert.deepEqual(messageIds.sort(), ids.map((id) => `<${id}@example.org>`).sort());
  });
});
