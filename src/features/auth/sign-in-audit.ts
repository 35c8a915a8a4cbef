import type { FastifyRequest } from 'fastify';
import type { StaffPrincipal } from '../../web/policy.ts';
import { SYSTEM_ACTOR, recordAuditAlone } from '../audit/audit-service.ts';

/** Sign-in steps go to the audit log: who (when known), what, and the request; never what was typed. */
export function auditSignIn(
  request: FastifyRequest,
  action: string,
  who?: Pick<StaffPrincipal, 'userId' | 'role'>,
  details?: Record<string, string>,
) {
  return recordAuditAlone(request.server.deps.db, {
    action,
    actor: who ? { userId: who.userId, role: who.role } : undefined,
    requestId: request.id,
    details,
  });
}

/** The system locks an account; the event names the account, not who tried. */
export function auditLock(request: FastifyRequest, userId: string) {
  return recordAuditAlone(request.server.deps.db, {
    action: 'account.locked',
    actor: SYSTEM_ACTOR,
    entity: { type: 'staff_user', id: userId },
    requestId: request.id,
  });
}
