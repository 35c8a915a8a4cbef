import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';
import {
  caseAccess,
  caseVisibility,
  type CaseAccessDecision,
  type StaffPrincipal,
} from '../../web/policy.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { localeFromPath, localisedPath } from '../../web/routing.ts';
import type { KeyRing } from '../../crypto/envelope.ts';
import { caseAuditEvent, recordAudit, type AuditActor } from '../audit/audit-service.ts';
import { namesPersonInCase } from '../persons/person-service.ts';

/**
 * Opening one case: the policy decides from the case's assignment and team (policy.caseAccess); this
 * module fetches those facts, keeps break-the-glass grants, and turns a decision into a response that
 * never tells an outsider whether the case exists.
 */

/** How long a stated reason lets an advisor keep working on a case outside their own. */
export const BREAK_GLASS_HOURS = 8;
export const BREAK_GLASS_REASON_MAX = 500;

export const casePath = (caseId: string) => `/beheer/casussen/${caseId}`;
export const breakGlassPath = (caseId: string) => `/beheer/casussen/${caseId}/toegang`;

export type CaseOpening = { decision: CaseAccessDecision } | { decision: 'missing' };

export async function hasLiveGrant(db: Kysely<DB>, userId: string, caseId: string, now = new Date()) {
  const row = await db
    .selectFrom('case_access_grant')
    .select('id')
    .where('user_id', '=', userId)
    .where('case_id', '=', caseId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/** What the policy says about this principal opening this case (or that there is no such case). */
export async function decideCaseOpening(
  db: Kysely<DB>,
  principal: StaffPrincipal,
  caseId: string,
): Promise<CaseOpening> {
  if (!isUuid(caseId)) return { decision: 'missing' };
  const facts = await db
    .selectFrom('case_file')
    .select(['assigned_user_id', 'team_id'])
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!facts) return { decision: 'missing' };
  const first = caseAccess(principal, { assignedUserId: facts.assigned_user_id, teamId: facts.team_id });
  if (first !== 'break_glass') return { decision: first };
  const grant = await hasLiveGrant(db, principal.userId, caseId);
  return {
    decision: caseAccess(principal, { assignedUserId: facts.assigned_user_id, teamId: facts.team_id }, grant),
  };
}

export const actorOf = (principal: StaffPrincipal): AuditActor => ({
  userId: principal.userId,
  role: principal.role,
});

/**
 * Records a stated reason for opening a case outside one's own: a grant for BREAK_GLASS_HOURS and a
 * 'case.break_glass' audit event with the reason, in one transaction. The coordinator sees both.
 *
 * A reason naming someone in the case is refused ('name_in_reason'): the audit log is append-only and
 * would keep the name for years, past the person's erasure. The refusal is audited without the reason,
 * so that trying names against a case one may not open yet shows up in the log.
 */
export async function breakTheGlass(
  db: Database,
  keyRing: KeyRing,
  principal: StaffPrincipal,
  caseId: string,
  reason: string,
  requestId: string,
  now = new Date(),
): Promise<'granted' | 'name_in_reason'> {
  return db.transaction().execute(async (trx) => {
    if (await namesPersonInCase(trx, keyRing, caseId, reason)) {
      await recordAudit(
        trx,
        caseAuditEvent(actorOf(principal), requestId, caseId, 'case.break_glass_refused'),
      );
      return 'name_in_reason';
    }
    await trx
      .insertInto('case_access_grant')
      .values({
        id: randomUUID(),
        case_id: caseId,
        user_id: principal.userId,
        reason,
        granted_at: now,
        expires_at: new Date(now.getTime() + BREAK_GLASS_HOURS * 3_600_000),
      })
      .execute();
    await recordAudit(
      trx,
      caseAuditEvent(actorOf(principal), requestId, caseId, 'case.break_glass', undefined, reason),
    );
    return 'granted';
  });
}

/**
 * For a route under /beheer/casussen/:id: resolves to the case id when the signed-in principal may
 * open the case. Otherwise the response has been sent and it resolves to undefined: a redirect to the
 * break-the-glass page, or one and the same 403 page for a case that is not theirs and a case that
 * does not exist (only those who may see every case get a 404 for a missing one).
 */
export async function requireCase(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  const principal = request.staff;
  if (!principal) throw new Error('case route without the policy pre-handler');
  const caseId = (request.params as { id?: string }).id ?? '';
  const opening = await decideCaseOpening(request.server.deps.db, principal, caseId);
  switch (opening.decision) {
    case 'granted':
      return caseId;
    case 'break_glass':
      await reply.redirect(localisedPath(localeFromPath(request.url), breakGlassPath(caseId)), 303);
      return undefined;
    case 'missing':
      await sendErrorPage(
        request,
        reply,
        caseVisibility(principal).kind === 'all' ? 'not_found' : 'forbidden',
      );
      return undefined;
    case 'denied':
      await sendErrorPage(request, reply, 'forbidden');
      return undefined;
  }
}
