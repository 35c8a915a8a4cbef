import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';

/**
 * Prometheus metrics of one app. Every label value is chosen from a fixed, small set (a route
 * pattern, a status class, a job name from code, a calendar day): nothing that names or singles out
 * a person, and no raw URL (which may hold an id or a token).
 */
export interface AppMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  reportsReceived: Counter;
  jobRuns: Counter<'job' | 'outcome'>;
  jobDuration: Histogram<'job' | 'outcome'>;
}

/** Days of intake counts exported at each scrape (today and the days before it). */
export const INTAKE_DAYS = 14;
const TIME_ZONE = 'Europe/Amsterdam';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const LABEL = /^[A-Za-z0-9_. :-]{1,64}$/;

/**
 * Process metrics (CPU, memory, event loop, GC) belong to the process, not to one app: tests build
 * many apps in one process, and each default-metrics collector adds observers that are never removed.
 * So they live in one registry, made on first use and shown after the app's own.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'baken_' });
  }
  return processRegistry;
}

export function createMetrics(db: Database, logger: Logger): AppMetrics {
  const registry = new Registry();
  const httpDuration = new Histogram({
    name: 'baken_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const reportsReceived = new Counter({
    name: 'baken_reports_received_total',
    help: 'Reports accepted from the public portal since this process started.',
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'baken_job_runs_total',
    help: 'Runs of scheduled jobs, by job and outcome.',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'baken_job_duration_seconds',
    help: 'Duration of scheduled job runs, by job and outcome.',
    labelNames: ['job', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });

  // Collected from the database at scrape time: counts only, over a bounded window of days.
  new Gauge({
    name: 'baken_reports_by_day',
    help: `Reports received per calendar day (${TIME_ZONE}), for the last ${INTAKE_DAYS} days.`,
    labelNames: ['day'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await reportsByDay(db, new Date());
        for (const [day, count] of counts) this.set({ day }, count);
      } catch (error) {
        logger.warn({ err: error }, 'metrics: reports by day unavailable');
      }
    },
  });
  new Gauge({
    name: 'baken_mail_queue',
    help: 'Mail in the outbox: pending (not yet sent) and failed (given up).',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const depth = await mailQueueDepth(db);
        this.set({ state: 'pending' }, depth.pending);
        this.set({ state: 'failed' }, depth.failed);
      } catch (error) {
        logger.warn({ err: error }, 'metrics: mail queue depth unavailable');
      }
    },
  });
  return { registry, httpDuration, reportsReceived, jobRuns, jobDuration };
}

/** The exposition text: the app's metrics, then the process's. */
export async function metricsText(metrics: AppMetrics): Promise<string> {
  const own = await metrics.registry.metrics();
  return `${own}\n${await processMetrics().metrics()}`;
}

export const metricsContentType = Registry.PROMETHEUS_CONTENT_TYPE;

/** A calendar day in the centre's time zone, as YYYY-MM-DD. */
function dayOf(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** Every day of the window, with zero for days without reports (so a quiet day is a 0, not a gap). */
export async function reportsByDay(db: Database, now: Date): Promise<Map<string, number>> {
  const days = new Map<string, number>();
  for (let i = INTAKE_DAYS - 1; i >= 0; i--) {
    days.set(dayOf(new Date(now.getTime() - i * 24 * 60 * 60 * 1000)), 0);
  }
  // A day or two of margin; days outside the window are dropped below.
  const since = new Date(now.getTime() - (INTAKE_DAYS + 1) * 24 * 60 * 60 * 1000);
  const rows = await db
    .selectFrom('report')
    .select([
      sql<string>`to_char(received_at at time zone ${TIME_ZONE}, 'YYYY-MM-DD')`.as('day'),
      sql<number>`count(*)::int`.as('count'),
    ])
    .where('received_at', '>=', since)
    .groupBy(sql`1`)
    .execute();
  for (const row of rows) if (days.has(row.day)) days.set(row.day, row.count);
  return days;
}

export async function mailQueueDepth(db: Database): Promise<{ pending: number; failed: number }> {
  const row = await db
    .selectFrom('mail_outbox')
    .select([
      sql<number>`count(*) filter (where sent_at is null and failed_at is null)::int`.as('pending'),
      sql<number>`count(*) filter (where failed_at is not null)::int`.as('failed'),
    ])
    .executeTakeFirstOrThrow();
  return { pending: row.pending, failed: row.failed };
}

/** Records one request; `route` is the pattern Fastify matched (`/beheer/casussen/:id`), never the URL. */
export function recordRequest(
  metrics: AppMetrics,
  request: { method: string; route: string | undefined; status: number; seconds: number },
): void {
  metrics.httpDuration.observe(
    {
      method: METHODS.has(request.method) ? request.method : 'other',
      route: request.route ?? 'unmatched',
      status_class: `${Math.floor(request.status / 100)}xx`,
    },
    request.seconds,
  );
}

export interface JobRun {
  name: string;
  outcome: string;
  durationMs: number;
}

/**
 * One run of a scheduled job, for the scheduler's `onRun` callback. Job names come from code; anything
 * that does not look like a name is counted as `other` rather than becoming a label value.
 */
export function recordJobRun(metrics: AppMetrics, run: JobRun): void {
  const labels = {
    job: LABEL.test(run.name) ? run.name : 'other',
    outcome: LABEL.test(run.outcome) ? run.outcome : 'other',
  };
  metrics.jobRuns.inc(labels);
  if (Number.isFinite(run.durationMs) && run.durationMs >= 0) {
    metrics.jobDuration.observe(labels, run.durationMs / 1000);
  }
}
