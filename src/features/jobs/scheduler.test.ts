import { after, before, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../db/database.ts';
import { createTestDatabase } from '../../test/database.ts';
import { dailyAt, every, nextRun } from './schedule.ts';
import {
  DEFAULT_LEASE_MS,
  RETRY_AFTER_FAILURE_MS,
  createScheduler,
  errorKind,
  withJobTables,
  type JobDefinition,
} from './scheduler.ts';
import { appJobs } from './registry.ts';
import { jsonLineSink, testConfig } from '../../test/app.ts';
import { createLogger } from '../../web/logging.ts';

const MINUTE = 60 * 1000;

describe('scheduled jobs', () => {
  let database: DatabaseHandle;
  let now: Date;
  const clock = () => now;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database.close());
  beforeEach(async () => {
    now = new Date('2026-12-01T09:00:00Z');
    await withJobTables(database.db).deleteFrom('scheduled_job').execute();
  });

  const runs = (name: string) =>
    withJobTables(database.db)
      .selectFrom('job_run')
      .selectAll()
      .where('job_name', '=', name)
      .orderBy('started_at')
      .execute();
  const row = (name: string) =>
    withJobTables(database.db)
      .selectFrom('scheduled_job')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirstOrThrow();

  /** Time passing on the database's clock, the one leases are kept by: every lease runs out now. */
  const leasesRunOut = () =>
    withJobTables(database.db)
      .updateTable('scheduled_job')
      .set({ locked_until: sql<Date>`now() - interval '1 millisecond'` })
      .where('locked_until', 'is not', null)
      .execute();
  const databaseNow = async () =>
    (await sql<{ now: Date }>`select now() as now`.execute(database.db)).rows[0]?.now ?? new Date(0);

  /** A job that counts its runs and, while `gate` is set, waits for it. */
  const countingJob = (name: string, schedule = every(10 * MINUTE)) => {
    const job = {
      runs: 0,
      gate: undefined as Promise<void> | undefined,
      definition: {
        name,
        schedule,
        run: async () => {
          job.runs++;
          await job.gate;
          return { things: 3 };
        },
      } satisfies JobDefinition,
    };
    return job;
  };

  it('runs each due job once when two schedulers look at the same moment', async () => {
    const a = countingJob('cleanup');
    const b = countingJob('cleanup');
    const nightlyA = countingJob('nightly', dailyAt('03:00', 'Europe/Amsterdam'));
    const nightlyB = countingJob('nightly', dailyAt('03:00', 'Europe/Amsterdam'));
    const reports: string[] = [];
    const first = createScheduler(database.db, {
      jobs: [a.definition, nightlyA.definition],
      clock,
      runner: 'process-a',
      onRun: (report) => reports.push(`${report.name}:${report.outcome}:${report.counts.things}`),
    });
    const second = createScheduler(database.db, {
      jobs: [b.definition, nightlyB.definition],
      clock,
      runner: 'process-b',
    });
    await Promise.all([first.register(), second.register()]);
    // Both see 'cleanup' due (a new interval job runs at once); the nightly one waits for 03:00.
    let release!: () => void;
    a.gate = b.gate = new Promise<void>((resolve) => (release = resolve));
    const passes = [first.runDue(), second.runDue()];
    // The winner is held at the gate, so the pass that ends first is the loser's: it found nothing.
    assert.deepEqual(await Promise.race(passes), []);
    release();
    const [fromA = [], fromB = []] = await Promise.all(passes);
    assert.equal(a.runs + b.runs, 1, 'the cleanup ran once across both');
    assert.equal(fromA.length + fromB.length, 1);
    assert.equal(nightlyA.runs + nightlyB.runs, 0, 'not due before 03:00');
    assert.equal((await row('cleanup')).next_run_at.toISOString(), '2026-12-01T09:10:00.000Z');
    assert.equal((await row('cleanup')).run_count, 1);
    assert.equal((await runs('cleanup')).length, 1);
    assert.deepEqual(reports, a.runs === 1 ? ['cleanup:ok:3'] : []);

    // Nothing more until the next slot; then again exactly one run, and the nightly one at 03:00.
    now = new Date('2026-12-01T09:09:59Z');
    assert.deepEqual([...(await first.runDue()), ...(await second.runDue())], []);
    now = new Date('2026-12-02T02:00:01Z'); // 03:00:01 in Amsterdam (winter time)
    await Promise.all([first.runDue(), second.runDue()]);
    assert.equal(a.runs + b.runs, 2);
    assert.equal(nightlyA.runs + nightlyB.runs, 1);
    const nightly = await row('nightly');
    assert.equal(nightly.next_run_at.toISOString(), '2026-12-03T02:00:00.000Z');
    assert.equal(nightly.last_outcome, 'ok');
    assert.deepEqual(nightly.last_counts, { things: 3 });
    assert.equal(nightly.locked_until, null);
    // Missed slots (a night of downtime) are not made up in a burst: the next slot is the next one due.
    assert.equal((await row('cleanup')).next_run_at.toISOString(), '2026-12-02T02:10:00.000Z');
  });

  it('takes over a job whose holder died, once its lease has run out', async () => {
    const dying = countingJob('cleanup');
    dying.gate = new Promise<void>(() => undefined); // never finishes: the process "died"
    const survivor = countingJob('cleanup');
    const first = createScheduler(database.db, { jobs: [dying.definition], clock, runner: 'dead' });
    const second = createScheduler(database.db, { jobs: [survivor.definition], clock, runner: 'alive' });
    await first.register();
    void first.runDue();
    while (dying.runs === 0) await new Promise((resolve) => setImmediate(resolve));

    now = new Date(now.getTime() + DEFAULT_LEASE_MS - 1);
    assert.deepEqual(await second.runDue(), [], 'not while the lease holds');
    // A host whose clock runs far ahead still sees the lease: it is kept by the database's clock.
    now = new Date(now.getTime() + 10 * DEFAULT_LEASE_MS);
    assert.deepEqual(await second.runDue(), [], 'not on a host clock running ahead');
    await leasesRunOut();
    const [report] = await second.runDue();
    assert.equal(report?.outcome, 'ok');
    assert.equal(survivor.runs, 1);
    const history = await runs('cleanup');
    assert.deepEqual(
      history.map((run) => [run.runner, run.outcome]),
      [
        ['dead', 'abandoned'],
        ['alive', 'ok'],
      ],
    );
    assert.equal(history[0]?.scheduled_for.getTime(), history[1]?.scheduled_for.getTime(), 'the same slot');
    assert.equal((await row('cleanup')).run_count, 2);
  });

  it('does not let a run that outlived its lease overwrite the new holder', async () => {
    const slow = countingJob('cleanup');
    let finishSlow!: () => void;
    slow.gate = new Promise<void>((resolve) => (finishSlow = resolve));
    const fast = countingJob('cleanup');
    const first = createScheduler(database.db, { jobs: [slow.definition], clock, runner: 'slow' });
    const second = createScheduler(database.db, { jobs: [fast.definition], clock, runner: 'fast' });
    await first.register();
    const slowPass = first.runDue();
    while (slow.runs === 0) await new Promise((resolve) => setImmediate(resolve));
    now = new Date(now.getTime() + DEFAULT_LEASE_MS + 1);
    await leasesRunOut();
    fast.gate = new Promise<void>(() => undefined); // the new holder is still at work
    void second.runDue();
    while (fast.runs === 0) await new Promise((resolve) => setImmediate(resolve));
    finishSlow();
    await slowPass;
    const job = await row('cleanup');
    assert.match(job.locked_by ?? '', /^fast\//, 'the lease stays with the new holder');
    assert.ok(job.locked_until && job.locked_until > (await databaseNow()));
    assert.deepEqual(
      (await runs('cleanup')).map((run) => [run.runner, run.outcome]),
      [
        ['slow', 'abandoned'],
        ['fast', null],
      ],
    );
  });

  it('aborts the run when a lease renewal finds the claim gone, and says so without details', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const logLines: Record<string, unknown>[] = [];
      let signal: AbortSignal | undefined;
      const job: JobDefinition = {
        name: 'cleanup',
        schedule: every(10 * MINUTE),
        run: (context) =>
          new Promise((resolve) => {
            signal = context.signal;
            context.signal.addEventListener('abort', () => resolve({ stopped: 1 }));
          }),
      };
      const scheduler = createScheduler(database.db, {
        jobs: [job],
        clock,
        runner: 'slow',
        logger: createLogger('info', jsonLineSink(logLines)),
      });
      await scheduler.register();
      const pass = scheduler.runDue();
      while (!signal) await new Promise((resolve) => setImmediate(resolve));

      // While the claim is ours, a renewal moves the lease on (by the database's clock).
      await withJobTables(database.db)
        .updateTable('scheduled_job')
        .set({ locked_until: sql<Date>`now() + interval '1 minute'` })
        .execute();
      mock.timers.tick(DEFAULT_LEASE_MS / 3);
      const renewed = new Date((await databaseNow()).getTime() + 5 * MINUTE);
      while (((await row('cleanup')).locked_until ?? new Date(0)) < renewed) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(signal.aborted, false);

      // Another process took the job over; the next renewal finds nothing of ours to extend.
      await withJobTables(database.db)
        .updateTable('scheduled_job')
        .set({ locked_by: 'other/claim' })
        .execute();
      mock.timers.tick(DEFAULT_LEASE_MS / 3);
      const [report] = await pass;
      assert.equal(signal.aborted, true);
      assert.deepEqual(report?.counts, { stopped: 1 });
      assert.equal((await row('cleanup')).locked_by, 'other/claim', 'the new holder keeps the lease');
      const warnings = logLines.filter((line) => line.event === 'job.lease_lost');
      assert.ok(warnings.length >= 1);
      assert.deepEqual(
        Object.keys(warnings[0] ?? {}).filter(
          (key) => !['level', 'time', 'pid', 'hostname', 'app'].includes(key),
        ),
        ['event', 'job', 'msg'],
      );
    } finally {
      mock.timers.reset();
    }
  });

  it('records a failure by kind only, and tries again sooner than the next day', async () => {
    const failing: JobDefinition = {
      name: 'nightly',
      schedule: dailyAt('03:00', 'Europe/Amsterdam'),
      run: () =>
        Promise.reject(Object.assign(new Error('cannot reach anna@example.org'), { code: 'ECONNRESET' })),
    };
    const scheduler = createScheduler(database.db, { jobs: [failing], clock });
    await scheduler.register();
    now = new Date('2026-12-02T02:00:00Z');
    const [report] = await scheduler.runDue();
    assert.equal(report?.outcome, 'failed');
    const job = await row('nightly');
    assert.equal(job.last_outcome, 'failed');
    assert.equal(job.next_run_at.getTime(), now.getTime() + RETRY_AFTER_FAILURE_MS);
    const [run] = await runs('nightly');
    assert.equal(run?.error, 'ECONNRESET');
    assert.ok(!JSON.stringify(run).includes('anna'));
  });

  it('keeps a job registered by an older schedule no later than the new schedule allows', async () => {
    const scheduler = (everyMs: number) =>
      createScheduler(database.db, { jobs: [countingJob('cleanup', every(everyMs)).definition], clock });
    await scheduler(60 * MINUTE).register();
    await scheduler(60 * MINUTE).runDue();
    assert.equal((await row('cleanup')).next_run_at.toISOString(), '2026-12-01T10:00:00.000Z');
    // A restart with the same schedule changes nothing; a shorter interval brings the slot forward.
    await scheduler(60 * MINUTE).register();
    assert.equal((await row('cleanup')).next_run_at.toISOString(), '2026-12-01T10:00:00.000Z');
    await scheduler(5 * MINUTE).register();
    assert.equal((await row('cleanup')).next_run_at.toISOString(), '2026-12-01T09:05:00.000Z');
    assert.equal((await row('cleanup')).schedule, 'every 300 s');
  });

  it('stops polling on stop, after the run in progress', async () => {
    const job = countingJob('cleanup');
    let release!: () => void;
    job.gate = new Promise<void>((resolve) => (release = resolve));
    const scheduler = createScheduler(database.db, { jobs: [job.definition], clock, pollMs: 10 });
    await scheduler.start();
    while (job.runs === 0) await new Promise((resolve) => setImmediate(resolve));
    const stopped = scheduler.stop();
    release();
    await stopped;
    assert.equal((await row('cleanup')).last_outcome, 'ok', 'the running job finished before stop resolved');
    now = new Date(now.getTime() + 60 * MINUTE);
    assert.deepEqual(await scheduler.runDue(), []);
  });

  it('registers every job of the app, and runs them on an empty database', async () => {
    const jobs = appJobs(testConfig());
    assert.deepEqual(jobs.map((job) => job.name).sort(), [
      'expired-sessions',
      'job-history',
      'retention',
      'task-reminders',
    ]);
    const scheduler = createScheduler(database.db, { jobs, clock });
    await scheduler.register();
    now = new Date('2026-12-02T06:00:00Z'); // 07:00 in Amsterdam: everything is due
    const reports = await scheduler.runDue();
    assert.deepEqual(
      reports.map((report) => [report.name, report.outcome]).sort(),
      jobs.map((job) => [job.name, 'ok']).sort(),
    );
  });
});

describe('job schedules', () => {
  it('runs daily jobs at the local time, through summer and winter time', () => {
    const nightly = dailyAt('03:00', 'Europe/Amsterdam');
    const after = (iso: string) => nextRun(nightly, new Date(iso), new Date(iso)).toISOString();
    assert.equal(after('2026-01-15T12:00:00Z'), '2026-01-16T02:00:00.000Z'); // CET
    assert.equal(after('2026-07-15T12:00:00Z'), '2026-07-16T01:00:00.000Z'); // CEST
    assert.equal(after('2026-03-28T12:00:00Z'), '2026-03-29T01:00:00.000Z'); // the night clocks go forward
    assert.equal(after('2026-10-24T12:00:00Z'), '2026-10-25T02:00:00.000Z'); // the night clocks go back
    assert.equal(after('2026-07-16T00:59:59Z'), '2026-07-16T01:00:00.000Z');
    assert.equal(after('2026-07-16T01:00:00Z'), '2026-07-17T01:00:00.000Z');
  });

  it('always moves a job forward, to a slot on its cadence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 * 24 * 60 }),
        fc.date({ min: new Date('2025-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 100 * 24 * 60 * 60 * 1000 }),
        (minutes, slot, late) => {
          const schedule = every(minutes * MINUTE);
          const now = new Date(slot.getTime() + late);
          const next = nextRun(schedule, slot, now);
          assert.ok(next > now);
          assert.ok(next.getTime() - now.getTime() <= minutes * MINUTE);
          assert.equal((next.getTime() - slot.getTime()) % (minutes * MINUTE), 0);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2025-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.constantFrom('00:00', '03:00', '07:30', '23:59'),
        (now, time) => {
          const next = nextRun(dailyAt(time, 'Europe/Amsterdam'), now, now);
          assert.ok(next > now);
          assert.ok(next.getTime() - now.getTime() <= 25 * 60 * MINUTE);
          const local = new Intl.DateTimeFormat('en-GB', {
            timeZone: 'Europe/Amsterdam',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }).format(next);
          assert.equal(local, time);
        },
      ),
    );
  });

  it('stores an error by kind, never by message', () => {
    assert.equal(errorKind(Object.assign(new Error('x@example.org'), { code: 'ECONNRESET' })), 'ECONNRESET');
    assert.equal(errorKind(new TypeError('x@example.org')), 'TypeError');
    assert.equal(errorKind('x@example.org'), 'Error');
  });

  it('refuses malformed job definitions', () => {
    assert.throws(() => dailyAt('3:00', 'Europe/Amsterdam'));
    assert.throws(() => dailyAt('03:00', 'Mars/Olympus'));
    assert.throws(() => every(0));
  });
});
