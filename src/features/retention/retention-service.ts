import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Config, RetentionRules } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { SYSTEM_ACTOR, recordAudit } from '../audit/audit-service.ts';
import { pruneAuditLog } from './audit-prune.ts';

/**
 * Retention (AVG storage limitation). One run deletes:
 * - reports that never became a case, `reportMonths` after their last activity (the report's own
 *   last_activity_at or its newest message, whichever is later);
 * - closed cases, `caseYears` after closure, with every report linked to them; one anonymised
 *   case_statistic row stays behind;
 * - audit rows older than `auditYears` (see audit-prune.ts);
 * - finished (sent or given-up, already wiped) mail_outbox rows older than `reportMonths`.
 *
 * "Deleted" means the rows are gone: a report takes its receipt, messages, attachments (bytea) and
 * mailbox sessions with it by cascade, a case its persons, notes, tasks, events, indicator
 * assessments, access grants and legal hold. Then the data_key rows are destroyed, so a copy of the
 * ciphertext left in this database (a dead tuple not yet vacuumed) can no longer be decrypted
 * (crypto-shredding). A backup holds its own copy of the data keys: it is only rid of them when the
 * backup itself expires (README, Backup and restore).
 *
 * Each deletion is its own transaction, taking its row with FOR UPDATE SKIP LOCKED: two processes
 * running at once share the work, a row someone is editing waits for the next run, and running it
 * twice changes nothing the second time. Cases under a legal hold are skipped and counted as 'held'.
 */

export const retentionCountKeys = [
  'reports',
  'cases',
  'case_reports',
  'attachments',
  'data_keys',
  'case_statistics',
  'held',
  'audit_events',
  'mail_outbox',
  'failed',
] as const;
export type RetentionCountKey = (typeof retentionCountKeys)[number];
export type RetentionCounts = Record<RetentionCountKey, number>;

export interface RetentionOptions {
  rules: RetentionRules;
  /** The moment the periods are counted back from; tests pass one far in the future. */
  now?: Date;
  /** Audit rows removed per transaction. */
  auditBatchSize?: number;
  /** VACUUM the tables deleted from afterwards, so the deleted row versions are reclaimed sooner. */
  vacuum?: boolean;
  /** Aborted: stop after the record in hand (each is its own transaction, so nothing is half done). */
  signal?: AbortSignal;
}

const emptyCounts = (): RetentionCounts =>
  Object.fromEntries(retentionCountKeys.map((key) => [key, 0])) as RetentionCounts;

/** `now` moved back by whole calendar months (UTC); the day is kept, or the month's last day. */
export function monthsBefore(now: Date, months: number): Date {
  const date = new Date(now.getTime());
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date;
}

export const yearsBefore = (now: Date, years: number) => monthsBefore(now, years * 12);

export interface RetentionCutoffs {
  /** Reports never in a case with no activity since: deleted. */
  reports: Date;
  /** Cases closed before: deleted. */
  cases: Date;
  /** Audit rows written before: pruned. */
  audit: Date;
}

export function retentionCutoffs(rules: RetentionRules, now: Date): RetentionCutoffs {
  return {
    reports: monthsBefore(now, rules.reportMonths),
    cases: yearsBefore(now, rules.caseYears),
    audit: yearsBefore(now, rules.auditYears),
  };
}

/** 'YYYY-Qn' in the centre's time zone, the finest grain a statistic keeps. */
export function quarterOf(date: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: 'numeric',
  }).formatToParts(date);
  const year = parts.find((p) => p.type === 'year')?.value ?? '';
  const month = Number(parts.find((p) => p.type === 'month')?.value ?? '1');
  return `${year}-Q${Math.ceil(month / 3)}`;
}

/** No activity since the cutoff: neither the report itself nor any message in its thread. */
const idleReport = (cutoff: Date) =>
  sql<boolean>`report.last_activity_at < ${cutoff}
    and not exists (select 1 from case_report where case_report.report_id = report.id)
    and not exists (select 1 from report_message
      where report_message.report_id = report.id and report_message.created_at >= ${cutoff})`;

async function countAttachments(trx: Transaction<DB>, reportIds: string[]): Promise<number> {
  if (reportIds.length === 0) return 0;
  const row = await trx
    .selectFrom('attachment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('report_id', 'in', reportIds)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function destroyDataKeys(trx: Transaction<DB>, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await trx.deleteFrom('data_key').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The next idle report after `after`, by id: what a run deletes next, and where it goes on after a failure. */
const nextIdleReport = (db: Database, cutoff: Date, after: string) =>
  db
    .selectFrom('report')
    .select('id')
    .where('id', '>', after)
    .where(idleReport(cutoff))
    .orderBy('id')
    .limit(1);

/** The next closed case past its period after `after`, by id. */
const nextDueCase = (db: Database, cutoff: Date, after: string) =>
  db
    .selectFrom('case_file')
    .where('id', '>', after)
    .where('status', '=', 'closed')
    .where('closed_at', '<', cutoff)
    .orderBy('id')
    .limit(1);

/** One idle report after `after` (by id), deleted in its own transaction; undefined when none is left. */
async function deleteNextIdleReport(
  db: Database,
  cutoff: Date,
  after: string,
  counts: RetentionCounts,
): Promise<string | undefined> {
  return db.transaction().execute(async (trx) => {
    const candidate = await nextIdleReport(trx, cutoff, after).forUpdate().skipLocked().executeTakeFirst();
    if (!candidate) return undefined;
    // Locked now: a message or a case link committed just before is seen by this new statement.
    const still = await trx
      .selectFrom('report')
      .select('data_key_id')
      .where('id', '=', candidate.id)
      .where(idleReport(cutoff))
      .executeTakeFirst();
    if (!still) return candidate.id;
    const attachments = await countAttachments(trx, [candidate.id]);
    await trx.deleteFrom('report').where('id', '=', candidate.id).execute();
    counts.data_keys += await destroyDataKeys(trx, [still.data_key_id]);
    counts.reports += 1;
    counts.attachments += attachments;
    return candidate.id;
  });
}

/** One closed case due after `after` (by id), deleted in its own transaction, or skipped when held. */
async function deleteNextDueCase(
  db: Database,
  cutoff: Date,
  after: string,
  counts: RetentionCounts,
): Promise<string | undefined> {
  return db.transaction().execute(async (trx) => {
    const due = await nextDueCase(trx, cutoff, after)
      .select([
        'id',
        'data_key_id',
        'exploitation_forms',
        'municipality',
        'created_at',
        'closed_at',
        'closure_reason',
      ])
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!due?.closed_at) return due?.id;
    // After the lock: a hold placed (or a reopening committed) just before is seen here.
    const held = await trx
      .selectFrom('case_legal_hold')
      .select('case_id')
      .where('case_id', '=', due.id)
      .executeTakeFirst();
    if (held) {
      counts.held += 1;
      return due.id;
    }
    const current = await trx
      .selectFrom('case_file')
      .select('id')
      .where('id', '=', due.id)
      .where('status', '=', 'closed')
      .where('closed_at', '<', cutoff)
      .executeTakeFirst();
    if (!current) return due.id;
    const reports = await trx
      .selectFrom('report')
      .innerJoin('case_report', 'case_report.report_id', 'report.id')
      .select(['report.id', 'report.audience', 'report.data_key_id'])
      .where('case_report.case_id', '=', due.id)
      .orderBy('report.id')
      .forUpdate()
      .execute();
    const reportIds = reports.map((r) => r.id);
    await trx
      .insertInto('case_statistic')
      .values({
        id: randomUUID(),
        exploitation_forms: [...due.exploitation_forms].sort(),
        municipality: due.municipality,
        created_quarter: quarterOf(due.created_at),
        closed_quarter: quarterOf(due.closed_at),
        report_audiences: reports.map((r) => r.audience).sort(),
        outcome: due.closure_reason,
      })
      .execute();
    const attachments = await countAttachments(trx, reportIds);
    if (reportIds.length > 0) await trx.deleteFrom('report').where('id', 'in', reportIds).execute();
    await trx.deleteFrom('case_file').where('id', '=', due.id).execute();
    counts.data_keys += await destroyDataKeys(trx, [due.data_key_id, ...reports.map((r) => r.data_key_id)]);
    counts.cases += 1;
    counts.case_reports += reportIds.length;
    counts.attachments += attachments;
    counts.case_statistics += 1;
    return due.id;
  });
}

/**
 * Walks the candidates in id order. A deletion that fails (rolled back) is counted, and the walk goes
 * on past that row (found again without a lock), so one bad row cannot stop the rest or loop forever.
 */
async function walk(
  step: (after: string) => Promise<string | undefined>,
  peek: (after: string) => Promise<string | undefined>,
  counts: RetentionCounts,
  signal: AbortSignal | undefined,
): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  // Stopped between records (shutdown, or another process took the job over): the next run goes on.
  while (!signal?.aborted) {
    let next: string | undefined;
    try {
      next = await step(after);
    } catch {
      counts.failed += 1;
      next = await peek(after);
    }
    if (next === undefined) return;
    after = next;
  }
}

/** Mail rows that were sent or given up (recipient and body already wiped), after the report period. */
async function deleteFinishedMail(db: Database, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('mail_outbox')
    .where((eb) =>
      eb.or([
        eb.and([eb('sent_at', 'is not', null), eb('sent_at', '<', cutoff)]),
        eb.and([eb('failed_at', 'is not', null), eb('failed_at', '<', cutoff)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The tables a run deletes from; their dead row versions hold what was deleted until vacuumed. */
const VACUUMED_TABLES = [
  'report',
  'receipt',
  'report_message',
  'attachment',
  'mailbox_session',
  'case_file',
  'case_report',
  'case_person',
  'case_note',
  'case_task',
  'case_event',
  'case_access_grant',
  'indicator_assessment',
  'data_key',
  'audit_event',
  'mail_outbox',
] as const;

/**
 * Best effort: VACUUM cannot run in a transaction and needs the table's owner on PostgreSQL (others get
 * a warning, not an error). Embedded PGlite has no autovacuum worker, so there it is the only way.
 */
async function vacuumDeletedRows(db: Database): Promise<void> {
  try {
    await sql`vacuum ${sql.join(VACUUMED_TABLES.map((table) => sql.id(table)))}`.execute(db);
  } catch {
    // Autovacuum (PostgreSQL) or the next run will get to it.
  }
}

/**
 * One retention run (see the top of this file). Records a retention_run row (counts only) and a
 * 'retention.run' audit event by the system with the counts; returns the counts.
 */
export async function applyRetention(db: Database, options: RetentionOptions): Promise<RetentionCounts> {
  const now = options.now ?? new Date();
  const startedMs = performance.now();
  const cutoffs = retentionCutoffs(options.rules, now);
  const runId = randomUUID();
  await db.insertInto('retention_run').values({ id: runId, started_at: now }).execute();
  const counts = emptyCounts();

  await walk(
    (after) => deleteNextIdleReport(db, cutoffs.reports, after, counts),
    async (after) => (await nextIdleReport(db, cutoffs.reports, after).executeTakeFirst())?.id,
    counts,
    options.signal,
  );
  await walk(
    (after) => deleteNextDueCase(db, cutoffs.cases, after, counts),
    async (after) => (await nextDueCase(db, cutoffs.cases, after).select('id').executeTakeFirst())?.id,
    counts,
    options.signal,
  );
  counts.mail_outbox = await deleteFinishedMail(db, cutoffs.reports);
  counts.audit_events = await pruneAuditLog(db, {
    before: cutoffs.audit,
    ...(options.auditBatchSize ? { batchSize: options.auditBatchSize } : {}),
  });

  const deleted = counts.reports + counts.cases + counts.audit_events + counts.mail_outbox;
  if (options.vacuum && deleted > 0) await vacuumDeletedRows(db);

  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('retention_run')
      .set({
        finished_at: new Date(now.getTime() + Math.round(performance.now() - startedMs)),
        counts: JSON.stringify(counts),
      })
      .where('id', '=', runId)
      .execute();
    await recordAudit(trx, {
      actor: SYSTEM_ACTOR,
      action: 'retention.run',
      entity: { type: 'retention_run', id: runId },
      details: { ...counts },
    });
  });
  return counts;
}

/** For the job scheduler: one run with the configured rules, vacuuming afterwards. */
export async function runRetentionJob(
  db: Database,
  config: Pick<Config, 'retention'>,
  now: Date = new Date(),
  signal?: AbortSignal,
): Promise<Record<string, number>> {
  return applyRetention(db, { rules: config.retention, now, vacuum: true, ...(signal ? { signal } : {}) });
}
