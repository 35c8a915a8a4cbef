import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type ColumnType, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { describeSchedule, firstRun, latestNextRun, nextRun, type Schedule } from './schedule.ts';

/**
 * Recurring jobs that run once per slot across every app process sharing the database, on PostgreSQL
 * and on embedded PGlite alike. Each job has a row in `scheduled_job`; a process claims a due job by
 * taking its lease (`locked_until`) in a transaction that skips rows another process holds (FOR
 * UPDATE SKIP LOCKED), runs it outside any transaction, then sets the next slot and lets go. A process
 * that dies mid-run holds the lease until it runs out; then another process takes the job over and
 * the dead run is recorded as abandoned. The claim carries a unique token, so a process that outlived
 * its lease cannot overwrite what the new holder writes. `job_run` keeps one row per run, and a
 * unique index on (job, slot) makes the database itself refuse a second run of a slot.
 *
 * Leases are set and compared with the database's clock (`now()` in SQL), never with a process's own:
 * the processes share one database but not one host clock, and a host whose clock ran ahead would
 * otherwise see a live lease as run out and take the job over. Due checks (`next_run_at`) and the
 * recorded times keep the injectable clock: a slot due a little early or late on a skewed host is
 * harmless, since the lease and the unique (job, slot) index still allow only one run. A renewal that
 * finds the claim gone (taken over) aborts the run's signal, so the job stops at its next safe point.
 *
 * Why not pg-boss: see README (Scaling out). In short, it needs its own schema, timers and a
 * connection pattern built for a server, not for PGlite's single embedded connection, for what here
 * is a handful of recurring jobs.
 */

export type JobCounts = Record<string, number>;

export interface JobContext {
  db: Database;
  /** The scheduler's clock when the run began (injectable in tests). */
  now: Date;
  /** Aborted when the process shuts down, or when this run lost its lease to another process; long
   * jobs should stop at a safe point. */
  signal: AbortSignal;
}

export interface JobDefinition {
  /** Stable identifier, stored in the database: lowercase words with dashes. */
  name: string;
  schedule: Schedule;
  /** How long a run may take before another process may assume it died. */
  leaseMs?: number;
  /** Does the work; returns what it did, as counts (no personal data), for logs and metrics. */
  run(context: JobContext): Promise<JobCounts | undefined>;
}

export interface JobRunReport {
  name: string;
  outcome: 'ok' | 'failed';
  durationMs: number;
  counts: JobCounts;
}

export interface SchedulerOptions {
  jobs: JobDefinition[];
  logger?: Logger;
  clock?: () => Date;
  /** How often to look for due jobs. */
  pollMs?: number;
  /** Identifies this process in `job_run.runner`; host name and pid by default. */
  runner?: string;
  /** Called after every finished run (metrics). */
  onRun?: (report: JobRunReport) => void;
}

export interface Scheduler {
  /** Registers the jobs, runs what is due and keeps polling until stopped. */
  start(): Promise<void>;
  /** Registers the jobs (idempotent; every process does it at start). */
  register(): Promise<void>;
  /** Claims and runs each due job once, one after another. */
  runDue(): Promise<JobRunReport[]>;
  /** Stops polling and aborts the signal of a running job, then waits for it to end. */
  stop(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 15 * 60 * 1000;
/** A failed run is tried again after this, or at its next slot if that is sooner. */
export const RETRY_AFTER_FAILURE_MS = 15 * 60 * 1000;
const NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The database's clock plus a lease, as SQL: comparable across processes whatever their host clocks. */
const leaseEnd = (leaseMs: number) =>
  sql<Date>`now() + make_interval(secs => ${leaseMs / 1000}::double precision)`;

/** Kysely types of this feature's tables (migrations/20261128210000_create-scheduled-jobs.sql). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type JobTables = {
  scheduled_job: {
    name: string;
    schedule: string;
    next_run_at: Timestamp;
    locked_until: Timestamp | null;
    locked_by: string | null;
    run_count: ColumnType<number, number | undefined, number>;
    last_started_at: Timestamp | null;
    last_finished_at: Timestamp | null;
    last_outcome: 'ok' | 'failed' | null;
    last_counts: ColumnType<JobCounts | null, string | null, string | null>;
  };
  job_run: {
    id: string;
    job_name: string;
    scheduled_for: Timestamp;
    started_at: Timestamp;
    finished_at: Timestamp | null;
    outcome: 'ok' | 'failed' | 'abandoned' | null;
    counts: ColumnType<JobCounts | null, string | null, string | null>;
    error: string | null;
    runner: string;
  };
};
export type JobDatabase = Kysely<DB & JobTables>;
export const withJobTables = (db: Database): JobDatabase => db.withTables<JobTables>();

interface Claim {
  name: string;
  slot: Date;
  token: string;
  runId: string;
}

/** What may be stored about a failure: the error's kind or code, never its message. */
export function errorKind(error: unknown): string {
  const facts = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof facts.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(facts.code)) return facts.code;
  if (typeof facts.name === 'string' && /^[A-Za-z]{1,40}$/.test(facts.name)) return facts.name;
  return 'Error';
}

export function createScheduler(database: Database, options: SchedulerOptions): Scheduler {
  const db = withJobTables(database);
  const clock = options.clock ?? (() => new Date());
  const runner = options.runner ?? `${hostname()}:${process.pid}`;
  const jobs = new Map<string, JobDefinition>();
  for (const job of options.jobs) {
    if (!NAME_PATTERN.test(job.name)) throw new Error(`Job name "${job.name}" must be lowercase-with-dashes`);
    if (jobs.has(job.name)) throw new Error(`Job "${job.name}" is registered twice`);
    jobs.set(job.name, job);
  }
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<unknown> | undefined;
  let stopped = false;

  async function register(): Promise<void> {
    const now = clock();
    for (const job of jobs.values()) {
      await db
        .insertInto('scheduled_job')
        .values({
          name: job.name,
          schedule: describeSchedule(job.schedule),
          next_run_at: firstRun(job.schedule, now),
        })
        .onConflict((conflict) =>
          conflict.column('name').doUpdateSet({
            schedule: (eb) => eb.ref('excluded.schedule'),
            next_run_at: sql<Date>`least(scheduled_job.next_run_at, ${latestNextRun(job.schedule, now)})`,
          }),
        )
        .execute();
    }
  }

  /** Takes the lease of one due job of ours that no other process holds, or returns undefined. */
  async function claimNext(exclude: Set<string>): Promise<Claim | undefined> {
    const candidates = [...jobs.keys()].filter((name) => !exclude.has(name));
    if (candidates.length === 0) return undefined;
    const now = clock();
    return db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('scheduled_job')
        .select(['name', 'next_run_at', 'locked_by'])
        // A process of an older version leaves jobs it does not know to the processes that do.
        .where('name', 'in', candidates)
        .where('next_run_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', sql<Date>`now()`)]))
        .orderBy('next_run_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!due) return undefined;
      const job = jobs.get(due.name);
      if (!job) return undefined;
      const claim: Claim = {
        name: due.name,
        slot: due.next_run_at,
        token: `${runner}/${randomUUID()}`,
        runId: randomUUID(),
      };
      await trx
        .updateTable('scheduled_job')
        .set({
          locked_until: leaseEnd(job.leaseMs ?? DEFAULT_LEASE_MS),
          locked_by: claim.token,
          run_count: sql<number>`run_count + 1`,
          last_started_at: now,
        })
        .where('name', '=', claim.name)
        .execute();
      if (due.locked_by !== null) {
        // The previous holder's lease ran out before it finished: it died, or is hopelessly stuck.
        await trx
          .updateTable('job_run')
          .set({ outcome: 'abandoned', finished_at: now })
          .where('job_name', '=', claim.name)
          .where('outcome', 'is', null)
          .execute();
        options.logger?.warn(
          { event: 'job.takeover', job: claim.name },
          'took over a job whose lease ran out',
        );
      }
      await trx
        .insertInto('job_run')
        .values({
          id: claim.runId,
          job_name: claim.name,
          scheduled_for: claim.slot,
          started_at: now,
          runner,
        })
        .execute();
      return claim;
    });
  }

  /**
   * Extends the lease while a long run goes on, as long as it is still ours. If it is not (another
   * process took the job over), `lost` is aborted: two runs of one job at once is what the lease is
   * there to prevent, so this one should stop.
   */
  function keepLease(claim: Claim, leaseMs: number, lost: AbortController): () => void {
    const renew = setInterval(
      () => {
        db.updateTable('scheduled_job')
          .set({ locked_until: leaseEnd(leaseMs) })
          .where('name', '=', claim.name)
          .where('locked_by', '=', claim.token)
          .executeTakeFirst()
          .then((result) => {
            if (Number(result.numUpdatedRows) > 0 || lost.signal.aborted) return;
            clearInterval(renew);
            options.logger?.warn(
              { event: 'job.lease_lost', job: claim.name },
              'job lost its lease while running: aborting it',
            );
            lost.abort(new Error('lease lost'));
          })
          .catch((error: unknown) =>
            options.logger?.warn({ err: error, job: claim.name }, 'lease renewal failed'),
          );
      },
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    return () => clearInterval(renew);
  }

  async function runClaimed(claim: Claim): Promise<JobRunReport> {
    const job = jobs.get(claim.name);
    if (!job) throw new Error(`Unknown job ${claim.name}`);
    const startedAt = performance.now();
    const lost = new AbortController();
    const stopRenewing = keepLease(claim, job.leaseMs ?? DEFAULT_LEASE_MS, lost);
    let outcome: 'ok' | 'failed' = 'ok';
    let counts: JobCounts = {};
    let error: string | null = null;
    try {
      const signal = AbortSignal.any([abort.signal, lost.signal]);
      counts = (await job.run({ db: database, now: clock(), signal })) ?? {};
    } catch (failure) {
      outcome = 'failed';
      error = errorKind(failure);
      options.logger?.warn({ err: failure, event: 'job.failed', job: job.name }, 'scheduled job failed');
    } finally {
      stopRenewing();
    }
    const finishedAt = clock();
    let next = nextRun(job.schedule, claim.slot, finishedAt);
    if (outcome === 'failed') {
      const retryAt = new Date(finishedAt.getTime() + RETRY_AFTER_FAILURE_MS);
      if (retryAt < next) next = retryAt;
    }
    const kept = await db.transaction().execute(async (trx) => {
      const released = await trx
        .updateTable('scheduled_job')
        .set({
          locked_until: null,
          locked_by: null,
          next_run_at: next,
          last_finished_at: finishedAt,
          last_outcome: outcome,
          last_counts: JSON.stringify(counts),
        })
        .where('name', '=', claim.name)
        .where('locked_by', '=', claim.token)
        .executeTakeFirst();
      await trx
        .updateTable('job_run')
        .set({ finished_at: finishedAt, outcome, counts: JSON.stringify(counts), error })
        .where('id', '=', claim.runId)
        .where('outcome', 'is', null)
        .execute();
      return Number(released.numUpdatedRows) === 1;
    });
    if (!kept) {
      options.logger?.warn(
        { event: 'job.lease_lost', job: job.name },
        'job finished after its lease ran out',
      );
    }
    const report: JobRunReport = {
      name: job.name,
      outcome,
      durationMs: Math.round(performance.now() - startedAt),
      counts,
    };
    options.logger?.info(
      { event: 'job.run', job: job.name, outcome, durationMs: report.durationMs, counts },
      'job run',
    );
    options.onRun?.(report);
    return report;
  }

  async function runDue(): Promise<JobRunReport[]> {
    const reports: JobRunReport[] = [];
    // Each job at most once a pass, even if its next slot is already due again.
    const done = new Set<string>();
    while (!stopped) {
      const claim = await claimNext(done);
      if (!claim) break;
      done.add(claim.name);
      reports.push(await runClaimed(claim));
    }
    return reports;
  }

  const poll = () => {
    if (stopped) return;
    pass = runDue()
      .catch((error: unknown) => options.logger?.warn({ err: error }, 'looking for due jobs failed'))
      .finally(() => {
        pass = undefined;
        if (!stopped) {
          timer = setTimeout(poll, options.pollMs ?? 30_000);
          timer.unref();
        }
      });
  };

  return {
    register,
    runDue,
    async start() {
      await register();
      poll();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await pass;
    },
  };
}

/** Keeps `job_run` from growing without end: runs older than this are removed. */
export const JOB_HISTORY_DAYS = 90;

export function jobHistoryCleanup(schedule: Schedule): JobDefinition {
  return {
    name: 'job-history',
    schedule,
    async run({ db, now }) {
      const result = await withJobTables(db)
        .deleteFrom('job_run')
        .where('started_at', '<', new Date(now.getTime() - JOB_HISTORY_DAYS * 24 * 60 * 60 * 1000))
        .where('outcome', 'is not', null)
        .executeTakeFirst();
      return { removed: Number(result.numDeletedRows) };
    },
  };
}
