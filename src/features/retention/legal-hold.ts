import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { KeyRing } from '../../crypto/envelope.ts';
import { caseAuditEvent, recordAudit, type AuditActor } from '../audit/audit-service.ts';
import { namesPersonInCase } from '../persons/person-service.ts';

/**
 * A legal hold pauses the deletion of a case under the retention rules (a court order, a complaint, an
 * ongoing investigation). A coordinator places it with a reason and lifts it with a reason; both are
 * in the case's timeline and in the audit log. While the row exists, applyRetention skips the case.
 */

export const HOLD_REASON_MIN = 10;
export const HOLD_REASON_MAX = 500;

export interface LegalHold {
  reason: string;
  placedAt: Date;
  placedByName: string | null;
}

export interface HoldActor {
  userId: string;
  actor: AuditActor;
  requestId: string;
}

/** The hold on a case, if any; no audit row of its own (the page reads no case content). */
export async function readLegalHold(db: Database, caseId: string): Promise<LegalHold | undefined> {
  const row = await db
    .selectFrom('case_legal_hold')
    .leftJoin('staff_user', 'staff_user.id', 'case_legal_hold.placed_by')
    .select(['case_legal_hold.reason', 'case_legal_hold.placed_at', 'staff_user.display_name'])
    .where('case_legal_hold.case_id', '=', caseId)
    .executeTakeFirst();
  return row ? { reason: row.reason, placedAt: row.placed_at, placedByName: row.display_name } : undefined;
}

async function addEvent(trx: Transaction<DB>, who: HoldActor, caseId: string, kind: string, note: string) {
  await trx
    .insertInto('case_event')
    .values({
      id: randomUUID(),
      case_id: caseId,
      kind,
      actor_user_id: who.userId,
      details: JSON.stringify({ note }),
    })
    .execute();
}

/**
 * Locks the case row first: the retention job deletes under the same lock, so a hold placed while it
 * runs either waits for the deletion (and finds no case) or is seen by it.
 */
async function lockCase(trx: Transaction<DB>, caseId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('case_file')
    .select('id')
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * 'name_in_reason': the reason names someone in the case. It would be kept in the append-only audit
 * log for years, beyond the person's erasure and the case's deletion, so nothing was changed.
 */
export type HoldResult = 'done' | 'unchanged' | 'missing' | 'name_in_reason';

export function placeLegalHold(
  db: Database,
  keyRing: KeyRing,
  who: HoldActor,
  caseId: string,
  reason: string,
): Promise<HoldResult> {
  return changeHold(db, keyRing, who, caseId, reason, 'legal_hold_placed', async (trx) => {
    const inserted = await trx
      .insertInto('case_legal_hold')
      .values({ case_id: caseId, reason, placed_by: who.userId })
      .onConflict((oc) => oc.column('case_id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  });
}

export function liftLegalHold(
  db: Database,
  keyRing: KeyRing,
  who: HoldActor,
  caseId: string,
  reason: string,
): Promise<HoldResult> {
  return changeHold(db, keyRing, who, caseId, reason, 'legal_hold_lifted', async (trx) => {
    const deleted = await trx.deleteFrom('case_legal_hold').where('case_id', '=', caseId).executeTakeFirst();
    return Number(deleted.numDeletedRows) > 0;
  });
}

/**
 * Placing and lifting alike: with the case locked (so a retention run cannot cross it) and a reason
 * naming nobody in the case, `apply` changes the hold; when it did, the timeline and the audit log
 * say so, with the reason.
 */
async function changeHold(
  db: Database,
  keyRing: KeyRing,
  who: HoldActor,
  caseId: string,
  reason: string,
  event: 'legal_hold_placed' | 'legal_hold_lifted',
  apply: (trx: Transaction<DB>) => Promise<boolean>,
): Promise<HoldResult> {
  return db.transaction().execute(async (trx): Promise<HoldResult> => {
    if (!(await lockCase(trx, caseId))) return 'missing';
    if (await namesPersonInCase(trx, keyRing, caseId, reason)) return 'name_in_reason';
    if (!(await apply(trx))) return 'unchanged';
    await addEvent(trx, who, caseId, event, reason);
    await recordAudit(
      trx,
      caseAuditEvent(who.actor, who.requestId, caseId, `case.${event}`, undefined, reason),
    );
    return 'done';
  });
}
