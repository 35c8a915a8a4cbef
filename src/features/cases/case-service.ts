import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { CaseStatus, ClosureReason, DB, MessageDirection, Urgency } from '../../db/schema.ts';
import { createDataKey, type KeyRing } from '../../crypto/envelope.ts';
import { caseVisibility, type StaffPrincipal } from '../../web/policy.ts';
import { caseAuditEvent, recordAudit } from '../audit/audit-service.ts';
import type { AuditDetails } from '../audit/chain.ts';
import { replyToReport, type ReplyDeps } from '../inbox/inbox-service.ts';
import { actorOf } from './case-access.ts';
import { allocateCaseNumber, caseYear } from './case-number.ts';
import { visibleTo } from './case-queries.ts';
import { exploitationForms, isOneOf } from './codes.ts';
import { applyWorkflow, type WorkflowAction } from './workflow.ts';

/**
 * Changes to cases and the read of one case. Each function is one transaction that holds the change,
 * its timeline event and its audit row (recorded last, see recordAudit), so none exists without the
 * others. Callers have already passed `requireCase` (or, for creation, the permission).
 */

/** Who acts, and in which request, for the audit log and the timeline. */
export interface CaseActor {
  principal: StaffPrincipal;
  requestId: string;
}

const audit = (
  trx: Transaction<DB>,
  actor: CaseActor,
  caseId: string,
  action: string,
  details?: AuditDetails,
  reason?: string,
) =>
  recordAudit(
    trx,
    caseAuditEvent(actorOf(actor.principal), actor.requestId, caseId, action, details, reason),
  );

async function addEvent(
  trx: Transaction<DB>,
  actor: CaseActor,
  caseId: string,
  kind: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await trx
    .insertInto('case_event')
    .values({
      id: randomUUID(),
      case_id: caseId,
      kind,
      actor_user_id: actor.principal.userId,
      details: JSON.stringify(details),
    })
    .execute();
}

const touch = (trx: Transaction<DB>, caseId: string) =>
  trx.updateTable('case_file').set({ updated_at: new Date() }).where('id', '=', caseId).execute();

async function linkReport(trx: Transaction<DB>, actor: CaseActor, caseId: string, reportId: string) {
  await trx
    .insertInto('case_report')
    .values({ report_id: reportId, case_id: caseId, linked_by: actor.principal.userId })
    .execute();
  await trx.updateTable('report').set({ status: 'in_progress' }).where('id', '=', reportId).execute();
  await addEvent(trx, actor, caseId, 'report_linked', { report: reportId });
}

/** Locks the report and tells which case it is in already, if any; undefined for no such report. */
async function lockReport(trx: Transaction<DB>, reportId: string) {
  const report = await trx
    .selectFrom('report')
    .select(['id', 'acute_danger', 'exploitation_forms', 'municipality'])
    .where('id', '=', reportId)
    .forUpdate()
    .executeTakeFirst();
  if (!report) return undefined;
  const linked = await trx
    .selectFrom('case_report')
    .select('case_id')
    .where('report_id', '=', reportId)
    .executeTakeFirst();
  return { report, linkedCaseId: linked?.case_id };
}

export type CreateResult =
  | { kind: 'created'; caseId: string; number: string }
  | { kind: 'already_linked'; caseId: string }
  | { kind: 'no_report' };

/**
 * A new case from a report: facts prefilled from the report, the report linked and marked "in
 * progress". An advisor who makes a case gets it assigned (otherwise they could not open what they
 * made); the case goes to the maker's team.
 */
export async function createCaseFromReport(
  db: Database,
  keyRing: KeyRing,
  actor: CaseActor,
  input: { reportId: string; title: string },
  now = new Date(),
): Promise<CreateResult> {
  return db.transaction().execute(async (trx): Promise<CreateResult> => {
    const locked = await lockReport(trx, input.reportId);
    if (!locked) return { kind: 'no_report' };
    if (locked.linkedCaseId) return { kind: 'already_linked', caseId: locked.linkedCaseId };
    const { report } = locked;
    const { principal } = actor;
    const dataKey = await createDataKey(trx, keyRing);
    const number = await allocateCaseNumber(trx, caseYear(now));
    const caseId = randomUUID();
    await trx
      .insertInto('case_file')
      .values({
        id: caseId,
        number,
        title: input.title,
        urgency: report.acute_danger ? 'acute' : 'normal',
        municipality: report.municipality,
        exploitation_forms: report.exploitation_forms.filter((f) => isOneOf(exploitationForms, f)),
        assigned_user_id: caseVisibility(principal).kind === 'own' ? principal.userId : null,
        team_id: principal.teamId,
        data_key_id: dataKey.id,
        created_by: principal.userId,
      })
      .execute();
    await addEvent(trx, actor, caseId, 'created');
    await linkReport(trx, actor, caseId, input.reportId);
    await audit(trx, actor, caseId, 'case.created', { report: input.reportId });
    return { kind: 'created', caseId, number };
  });
}

export type LinkResult =
  | { kind: 'linked'; caseId: string }
  | { kind: 'already_linked'; caseId: string }
  | { kind: 'unknown_case' }
  | { kind: 'no_report' };

/**
 * Adds a report to an existing case, chosen by number among the cases the principal may open; a
 * number of a case they may not open is answered as an unknown number.
 */
export async function linkReportToCase(
  db: Database,
  actor: CaseActor,
  input: { reportId: string; caseNumber: string },
): Promise<LinkResult> {
  return db.transaction().execute(async (trx): Promise<LinkResult> => {
    const target = await trx
      .selectFrom('case_file')
      .select('id')
      .where('number', '=', input.caseNumber)
      .where(visibleTo(actor.principal))
      .executeTakeFirst();
    if (!target) return { kind: 'unknown_case' };
    const locked = await lockReport(trx, input.reportId);
    if (!locked) return { kind: 'no_report' };
    if (locked.linkedCaseId) return { kind: 'already_linked', caseId: locked.linkedCaseId };
    await linkReport(trx, actor, target.id, input.reportId);
    await touch(trx, target.id);
    await audit(trx, actor, target.id, 'case.report_linked', { report: input.reportId });
    return { kind: 'linked', caseId: target.id };
  });
}

/** The editable details of a case, as the edit form shows and sends them. */
export interface CaseDetails {
  title: string;
  summary: string;
  urgency: Urgency;
  municipality: string;
  exploitation_forms: string[];
  /** An ISIC section, only kept when labour exploitation is among the forms. */
  labour_industry: string | null;
  control_methods: string[];
  recruitment_methods: string[];
}

export const detailFields = [
  'title',
  'summary',
  'urgency',
  'municipality',
  'exploitation_forms',
  'labour_industry',
  'control_methods',
  'recruitment_methods',
] as const satisfies readonly (keyof CaseDetails)[];

export interface CaseRecord extends CaseDetails {
  id: string;
  number: string;
  status: CaseStatus;
  closureReason: ClosureReason | null;
  closureNote: string | null;
  closureRequestedBy: string | null;
  closureRequestedAt: Date | null;
  closedAt: Date | null;
  closureApprovedBy: string | null;
  assignedUserId: string | null;
  assignedName: string | null;
  teamId: string | null;
  teamName: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

async function readCaseRecord(trx: Transaction<DB>, caseId: string): Promise<CaseRecord | undefined> {
  const row = await trx
    .selectFrom('case_file')
    .leftJoin('staff_user as assignee', 'assignee.id', 'case_file.assigned_user_id')
    .leftJoin('staff_user as requester', 'requester.id', 'case_file.closure_requested_by')
    .leftJoin('staff_user as approver', 'approver.id', 'case_file.closure_approved_by')
    .leftJoin('team', 'team.id', 'case_file.team_id')
    .selectAll('case_file')
    .select([
      'assignee.display_name as assigned_name',
      'requester.display_name as requester_name',
      'approver.display_name as approver_name',
      'team.name as team_name',
    ])
    .where('case_file.id', '=', caseId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    summary: row.summary,
    status: row.status,
    urgency: row.urgency,
    municipality: row.municipality,
    exploitation_forms: row.exploitation_forms,
    labour_industry: row.labour_industry,
    control_methods: row.control_methods,
    recruitment_methods: row.recruitment_methods,
    closureReason: row.closure_reason,
    closureNote: row.closure_note,
    closureRequestedBy: row.requester_name,
    closureRequestedAt: row.closure_requested_at,
    closedAt: row.closed_at,
    closureApprovedBy: row.approver_name,
    assignedUserId: row.assigned_user_id,
    assignedName: row.assigned_name,
    teamId: row.team_id,
    teamName: row.team_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export interface LinkedReport {
  id: string;
  receivedAt: Date;
  replyChannel: string;
  acuteDanger: boolean;
}

export interface CaseMessage {
  id: string;
  reportId: string;
  direction: MessageDirection;
  body: string;
  createdAt: Date;
  authorName: string | null;
}

export type TimelineEntry =
  | { kind: 'event'; at: Date; event: string; actorName: string | null; details: Record<string, unknown> }
  | { kind: 'note'; at: Date; body: string; actorName: string | null }
  | { kind: 'message'; at: Date; direction: MessageDirection; reportId: string; actorName: string | null }
  | { kind: 'task_created'; at: Date; title: string; actorName: string | null }
  | { kind: 'task_done'; at: Date; title: string; actorName: string | null };

export interface CaseView {
  record: CaseRecord;
  reports: LinkedReport[];
  messages: CaseMessage[];
  timeline: TimelineEntry[];
}

async function readLinkedReports(trx: Transaction<DB>, caseId: string): Promise<LinkedReport[]> {
  const rows = await trx
    .selectFrom('case_report')
    .innerJoin('report', 'report.id', 'case_report.report_id')
    .select(['report.id', 'report.received_at', 'report.reply_channel', 'report.acute_danger'])
    .where('case_report.case_id', '=', caseId)
    .orderBy('report.received_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at,
    replyChannel: r.reply_channel,
    acuteDanger: r.acute_danger,
  }));
}

async function readMessages(trx: Transaction<DB>, caseId: string): Promise<CaseMessage[]> {
  const rows = await trx
    .selectFrom('report_message')
    .innerJoin('case_report', 'case_report.report_id', 'report_message.report_id')
    .leftJoin('staff_user', 'staff_user.id', 'report_message.author_user_id')
    .select([
      'report_message.id',
      'report_message.report_id',
      'report_message.direction',
      'report_message.body',
      'report_message.created_at',
      'staff_user.display_name',
    ])
    .where('case_report.case_id', '=', caseId)
    .orderBy('report_message.created_at')
    .orderBy('report_message.id')
    .execute();
  return rows.map((m) => ({
    id: m.id,
    reportId: m.report_id,
    direction: m.direction,
    body: m.body,
    createdAt: m.created_at,
    authorName: m.direction === 'from_centre' ? m.display_name : null,
  }));
}

/** Events, notes, messages and tasks of a case, newest first (the timeline is derived, not stored). */
async function readTimeline(
  trx: Transaction<DB>,
  caseId: string,
  messages: CaseMessage[],
): Promise<TimelineEntry[]> {
  // One after the other: a transaction is one connection.
  const events = await trx
    .selectFrom('case_event')
    .leftJoin('staff_user', 'staff_user.id', 'case_event.actor_user_id')
    .select(['case_event.kind', 'case_event.at', 'case_event.details', 'staff_user.display_name'])
    .where('case_event.case_id', '=', caseId)
    .execute();
  const notes = await trx
    .selectFrom('case_note')
    .leftJoin('staff_user', 'staff_user.id', 'case_note.author_user_id')
    .select(['case_note.body', 'case_note.created_at', 'staff_user.display_name'])
    .where('case_note.case_id', '=', caseId)
    .execute();
  const tasks = await trx
    .selectFrom('case_task')
    .leftJoin('staff_user as creator', 'creator.id', 'case_task.created_by')
    .leftJoin('staff_user as finisher', 'finisher.id', 'case_task.done_by')
    .select([
      'case_task.title',
      'case_task.created_at',
      'case_task.done_at',
      'creator.display_name as creator_name',
      'finisher.display_name as finisher_name',
    ])
    .where('case_task.case_id', '=', caseId)
    .execute();
  const entries: TimelineEntry[] = [
    ...events.map((e): TimelineEntry => ({
      kind: 'event',
      at: e.at,
      event: e.kind,
      actorName: e.display_name,
      details: e.details,
    })),
    ...notes.map((n): TimelineEntry => ({
      kind: 'note',
      at: n.created_at,
      body: n.body,
      actorName: n.display_name,
    })),
    ...messages.map((m): TimelineEntry => ({
      kind: 'message',
      at: m.createdAt,
      direction: m.direction,
      reportId: m.reportId,
      actorName: m.authorName,
    })),
    ...tasks.flatMap((task): TimelineEntry[] => [
      { kind: 'task_created', at: task.created_at, title: task.title, actorName: task.creator_name },
      ...(task.done_at
        ? [{ kind: 'task_done' as const, at: task.done_at, title: task.title, actorName: task.finisher_name }]
        : []),
    ]),
  ];
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** The case page's data, read in one transaction with its 'case.read' audit event. */
export async function openCase(
  db: Database,
  actor: CaseActor,
  caseId: string,
): Promise<CaseView | undefined> {
  return db.transaction().execute(async (trx) => {
    const record = await readCaseRecord(trx, caseId);
    if (!record) return undefined;
    const reports = await readLinkedReports(trx, caseId);
    const messages = await readMessages(trx, caseId);
    const timeline = await readTimeline(trx, caseId, messages);
    await audit(trx, actor, caseId, 'case.read');
    return { record, reports, messages, timeline };
  });
}

/** The details alone (for the edit form), with their own 'case.read' audit event. */
export async function readCaseForEdit(
  db: Database,
  actor: CaseActor,
  caseId: string,
): Promise<CaseRecord | undefined> {
  return db.transaction().execute(async (trx) => {
    const record = await readCaseRecord(trx, caseId);
    if (!record) return undefined;
    await audit(trx, actor, caseId, 'case.read');
    return record;
  });
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export type UpdateResult =
  { kind: 'updated'; changed: string[] } | { kind: 'conflict'; current: CaseRecord } | { kind: 'missing' };

/**
 * Saves the details if nobody saved since `version` was read (optimistic locking). Otherwise nothing
 * is written and the current values come back (read and audited) for the conflict page.
 */
export async function updateCaseDetails(
  db: Database,
  actor: CaseActor,
  caseId: string,
  version: number,
  details: CaseDetails,
): Promise<UpdateResult> {
  return db.transaction().execute(async (trx): Promise<UpdateResult> => {
    const before = await readCaseRecord(trx, caseId);
    if (!before) return { kind: 'missing' };
    const updated = await trx
      .updateTable('case_file')
      .set({ ...details, version: sql<number>`version + 1`, updated_at: new Date() })
      .where('id', '=', caseId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      await audit(trx, actor, caseId, 'case.read', { conflict: true });
      return { kind: 'conflict', current: before };
    }
    const changed = detailFields.filter((field) => !sameValue(before[field], details[field]));
    await addEvent(trx, actor, caseId, 'updated', { fields: changed });
    await audit(trx, actor, caseId, 'case.updated', { fields: changed });
    return { kind: 'updated', changed };
  });
}

export async function addCaseNote(
  db: Database,
  actor: CaseActor,
  caseId: string,
  body: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const id = randomUUID();
    await trx
      .insertInto('case_note')
      .values({ id, case_id: caseId, body, author_user_id: actor.principal.userId })
      .execute();
    await touch(trx, caseId);
    await audit(trx, actor, caseId, 'case.note_added', { note: id });
  });
}

/** A reply to the reporter of a report in this case; false when the report is not in the case. */
export async function replyFromCase(
  db: Database,
  deps: ReplyDeps,
  actor: CaseActor,
  input: { caseId: string; reportId: string; body: string },
): Promise<boolean> {
  const linked = await db
    .selectFrom('case_report')
    .select('report_id')
    .where('case_id', '=', input.caseId)
    .where('report_id', '=', input.reportId)
    .executeTakeFirst();
  if (!linked) return false;
  await replyToReport(
    db,
    deps,
    { reportId: input.reportId, body: input.body, authorUserId: actor.principal.userId },
    { actor: actorOf(actor.principal), requestId: actor.requestId },
    async (trx, messageId) => {
      await touch(trx, input.caseId);
      await audit(trx, actor, input.caseId, 'case.message_sent', {
        report: input.reportId,
        message: messageId,
      });
    },
  );
  return true;
}

export interface WorkflowInput {
  action: WorkflowAction;
  /** The advisor's note with a closure request, or the coordinator's with a decision. */
  note?: string | undefined;
}

/**
 * Applies one step of the workflow (see workflow.ts), under a row lock so two coordinators cannot
 * both decide on one request. False when the step is not allowed for this role in this state.
 */
export async function changeWorkflow(
  db: Database,
  actor: CaseActor,
  caseId: string,
  { action, note }: WorkflowInput,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('case_file')
      .select(['status', 'closure_requested_at', 'closure_reason'])
      .where('id', '=', caseId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return false;
    const state = {
      status: row.status,
      closurePending: row.closure_requested_at !== null && row.status !== 'closed',
    };
    const next = applyWorkflow(actor.principal.role, state, action);
    if (!next) return false;
    const userId = actor.principal.userId;
    const now = sql<Date>`now()`;
    let update = trx.updateTable('case_file').set({ status: next.status, updated_at: new Date() });
    switch (action.kind) {
      case 'request_closure':
        update = update.set({
          closure_reason: action.reason,
          closure_note: note ?? null,
          closure_requested_by: userId,
          closure_requested_at: now,
        });
        break;
      case 'approve_closure':
        update = update.set({ closed_at: now, closure_approved_by: userId });
        break;
      case 'close':
        update = update.set({
          closure_reason: action.reason,
          closure_note: note ?? null,
          closed_at: now,
          closure_approved_by: userId,
        });
        break;
      case 'reject_closure':
      case 'reopen':
        update = update.set({
          closure_reason: null,
          closure_note: null,
          closure_requested_by: null,
          closure_requested_at: null,
          closed_at: null,
          closure_approved_by: null,
        });
        break;
      case 'move':
        break;
    }
    await update.where('id', '=', caseId).execute();
    if (next.status !== row.status && (next.status === 'closed' || row.status === 'closed')) {
      // The reports in a case are done when the case is, and open again when it is reopened.
      await trx
        .updateTable('report')
        .set({ status: next.status === 'closed' ? 'closed' : 'in_progress' })
        .where('id', 'in', trx.selectFrom('case_report').select('report_id').where('case_id', '=', caseId))
        .execute();
    }
    const eventKind = {
      move: 'status',
      request_closure: 'closure_requested',
      approve_closure: 'status',
      close: 'status',
      reject_closure: 'closure_rejected',
      reopen: 'status',
    }[action.kind];
    const reason =
      'reason' in action ? action.reason : action.kind === 'approve_closure' ? row.closure_reason : null;
    await addEvent(trx, actor, caseId, eventKind, {
      from: row.status,
      to: next.status,
      ...(reason ? { reason } : {}),
      ...(note ? { note } : {}),
    });
    await audit(trx, actor, caseId, 'case.status_changed', {
      action: action.kind,
      from: row.status,
      to: next.status,
    });
    return true;
  });
}

/** Assigns the case to an advisor and/or a team (either may be empty). */
export async function assignCase(
  db: Database,
  actor: CaseActor,
  caseId: string,
  input: { userId: string | null; teamId: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('case_file')
      .set({ assigned_user_id: input.userId, team_id: input.teamId, updated_at: new Date() })
      .where('id', '=', caseId)
      .execute();
    await addEvent(trx, actor, caseId, 'assigned', { user: input.userId, team: input.teamId });
    await audit(trx, actor, caseId, 'case.assigned', { user: input.userId, team: input.teamId });
  });
}

/** A coordinator marks a break-the-glass opening as reviewed; false when there is no such grant. */
export async function markGrantReviewed(db: Database, actor: CaseActor, grantId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const grant = await trx
      .updateTable('case_access_grant')
      .set({ reviewed_by: actor.principal.userId, reviewed_at: sql<Date>`now()` })
      .where('id', '=', grantId)
      .where('reviewed_at', 'is', null)
      .returning('case_id')
      .executeTakeFirst();
    if (!grant) return false;
    await audit(trx, actor, grant.case_id, 'case.break_glass_reviewed', { grant: grantId });
    return true;
  });
}
