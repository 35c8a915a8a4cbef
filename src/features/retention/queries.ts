import type { Database } from '../../db/database.ts';
import { retentionCountKeys, type RetentionCounts } from './retention-service.ts';

/** What the retention page shows: runs with their counts, and how many cases are on hold. */

export interface RetentionRunRow {
  id: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Null while the run is in progress (or if it stopped half-way). */
  counts: RetentionCounts | null;
}

export const RUNS_SHOWN = 20;

/** Only the known keys, as numbers: the page shows nothing else from the row. */
function countsOf(value: Record<string, unknown> | null): RetentionCounts | null {
  if (!value) return null;
  return Object.fromEntries(
    retentionCountKeys.map((key) => [key, typeof value[key] === 'number' ? value[key] : 0]),
  ) as RetentionCounts;
}

export async function listRetentionRuns(db: Database, limit = RUNS_SHOWN): Promise<RetentionRunRow[]> {
  const rows = await db
    .selectFrom('retention_run')
    .select(['id', 'started_at', 'finished_at', 'counts'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts: countsOf(row.counts),
  }));
}

export async function countHeldCases(db: Database): Promise<number> {
  const row = await db
    .selectFrom('case_legal_hold')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}
