import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

/**
 * Case numbers: the year and a sequence within it, 2026-0042. One counter row per year; the upsert
 * takes that row's lock until the creating transaction ends, so two creations never get the same
 * number and a rolled-back creation gives its number back.
 */

/** The calendar year at the centre (a case made on New Year's Eve at 23:30 belongs to that year). */
export function caseYear(now: Date): number {
  return Number(
    new Intl.DateTimeFormat('en-GB', { year: 'numeric', timeZone: 'Europe/Amsterdam' }).format(now),
  );
}

export const formatCaseNumber = (year: number, sequence: number) =>
  `${year}-${String(sequence).padStart(4, '0')}`;

export const CASE_NUMBER_PATTERN = /^\d{4}-\d{4,}$/;

/** The next number of `year`, inside the transaction that creates the case. */
export async function allocateCaseNumber(trx: Transaction<DB>, year: number): Promise<string> {
  const row = await trx
    .insertInto('case_number_counter')
    .values({ year, last_number: 1 })
    .onConflict((oc) =>
      oc.column('year').doUpdateSet({ last_number: sql<number>`case_number_counter.last_number + 1` }),
    )
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return formatCaseNumber(year, row.last_number);
}
