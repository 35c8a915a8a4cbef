import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffPrincipal } from '../../web/policy.ts';
import { actorOf, casePath } from '../cases/case-access.ts';
import type { AuditActor } from '../audit/audit-service.ts';

/**
 * What the parts of a case file (persons, indicators, tasks) share: the facts of the case they hang
 * under, who is working and in which request (for the audit log), and their paths.
 */
export type CaseSection = 'overview' | 'persons' | 'indicators' | 'tasks' | 'edit';

const sectionSuffix: Record<CaseSection, string> = {
  overview: '',
  persons: '/personen',
  indicators: '/indicatoren',
  tasks: '/taken',
  edit: '/bewerken',
};

export const caseSectionPath = (caseId: string, section: CaseSection) =>
  `${casePath(caseId)}${sectionSuffix[section]}`;

export interface CaseFacts {
  id: string;
  number: string;
  dataKeyId: string;
  exploitationForms: string[];
  assignedUserId: string | null;
  teamId: string | null;
}

/** The case a section belongs to; requireCase has checked it exists and may be opened. */
export async function readCaseFacts(trx: Transaction<DB>, caseId: string): Promise<CaseFacts> {
  const row = await trx
    .selectFrom('case_file')
    .select(['id', 'number', 'data_key_id', 'exploitation_forms', 'assigned_user_id', 'team_id'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    number: row.number,
    dataKeyId: row.data_key_id,
    exploitationForms: row.exploitation_forms,
    assignedUserId: row.assigned_user_id,
    teamId: row.team_id,
  };
}

/** Who works on a case part and in which request, for the audit rows of what they read and change. */
export interface CaseWork {
  principal: StaffPrincipal;
  actor: AuditActor;
  requestId: string;
}

export function caseWorkOf(request: FastifyRequest): CaseWork {
  const principal = request.staff;
  if (!principal) throw new Error('case route without the policy pre-handler');
  return { principal, actor: actorOf(principal), requestId: request.id };
}
