import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { CASE_ENTITY } from '../audit/audit-service.ts';

/**
 * Pruning the oldest audit rows without breaking the hash chain. The table's trigger refuses every
 * delete unless the transaction has set `baken.audit_prune` to 'on', and even then only rows up to
 * the latest `audit_anchor`. So each batch first writes an anchor (the seq and hash of the last row it
 * removes; a trigger checks that row exists with that hash) and then deletes up to it. Verification
 * (features/audit/verify.ts) starts from the latest anchor instead of the genesis hash.
 *
 * The anchor trigger (migrations/20261128220000_harden-audit-anchor.sql) refuses an anchor that covers
 * a row younger than a year by the database's clock, or a row about a case under a legal hold, and
 * works out `pruned_count` itself. The prune point below stays inside those limits, so a job whose
 * clock runs ahead prunes less instead of failing.
 */

/** Serialises prunes between processes; appends are unaffected (they only touch the newest row). */
const PRUNE_LOCK_ID = 7_326_110;
const DEFAULT_BATCH_SIZE = 10_000;

/**
 * Removes audit rows written before `before`, oldest first, a batch per transaction; returns how many.
 * Only an unbroken run of old rows from the start is removed (a row after a younger one stays), and
 * never the newest row: the next append needs it to link to. A row counts as young when it was written
 * at or after `before`, or less than a year ago by the database's clock. Nothing from the first audit
 * row of a case under a legal hold onwards is removed: the hold keeps the case's access history too.
 */
export async function pruneAuditLog(
  db: Database,
  options: { before: Date; batchSize?: number },
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let total = 0;
  for (;;) {
    const pruned = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PRUNE_LOCK_ID})`.execute(trx);
      const bounds = await trx
        .selectFrom('audit_event')
        .select((eb) => [
          eb.fn.min<number | null>('seq').as('first'),
          eb.fn.max<number | null>('seq').as('last'),
        ])
        .executeTakeFirst();
      if (!bounds || bounds.first === null || bounds.last === null) return 0;
      const young = await trx
        .selectFrom('audit_event')
        .select((eb) => eb.fn.min<number>('seq').as('seq'))
        .where((eb) =>
          eb.or([eb('at', '>=', options.before), eb('at', '>', sql<Date>`now() - interval '1 year'`)]),
        )
        .executeTakeFirst();
      const firstYoung = young?.seq ?? bounds.last + 1;
      // Per hold, the index on (entity_type, entity_id, seq) finds its case's first row directly.
      const held = await trx
        .selectFrom('case_legal_hold')
        .select((eb) =>
          eb.fn
            .min<number | null>(
              eb
                .selectFrom('audit_event')
                .select((inner) => inner.fn.min<number>('seq').as('seq'))
                .where('audit_event.entity_type', '=', CASE_ENTITY)
                .where('audit_event.entity_id', '=', sql<string>`case_legal_hold.case_id::text`),
            )
            .as('seq'),
        )
        .executeTakeFirst();
      const firstHeld = held?.seq ?? bounds.last + 1;
      const upTo = Math.min(firstYoung - 1, firstHeld - 1, bounds.last - 1, bounds.first + batchSize - 1);
      if (upTo < bounds.first) return 0;
      const last = await trx
        .selectFrom('audit_event')
        .select(['seq', 'hash'])
        .where('seq', '=', upTo)
        .executeTakeFirstOrThrow();
      await trx.insertInto('audit_anchor').values({ seq: last.seq, hash: last.hash }).execute();
      await sql`select set_config('baken.audit_prune', 'on', true)`.execute(trx);
      const deleted = await trx.deleteFrom('audit_event').where('seq', '<=', upTo).executeTakeFirst();
      return Number(deleted.numDeletedRows);
    });
    total += pruned;
    if (pruned < batchSize) return total;
  }
}
