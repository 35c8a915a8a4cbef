import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { isUuid } from '../../db/ids.ts';
import { caseAccess, isRole, type StaffPrincipal } from '../../web/policy.ts';
import { visibleTo } from '../cases/case-queries.ts';
import { caseAuditEvent, recordAudit, type AuditActor } from '../audit/audit-service.ts';
import { readCaseFacts, type CaseFacts, type CaseWork } from '../case-sections/case-section.ts';

/**
 * Tasks in a case: a title, an optional due date, an owner among the staff who may open the case, and
 * done or not. The case page's timeline reads case_task itself. Every read and change is audited.
 */
export const TITLE_MAX = 200;

export interface Task {
  id: string;
  title: string;
  dueOn: string | null;
  ownerId: string | null;
  ownerName: string | null;
  createdAt: Date;
  doneAt: Date | null;
  doneByName: string | null;
}

export interface StaffOption {
  id: string;
  name: string;
}

/** Open tasks first, soonest due first (no due date last), then done tasks, most recently done first. */
export function orderTasks(tasks: Task[]): Task[] {
  const open = tasks
    .filter((task) => task.doneAt === null)
    .sort(
      (a, b) =>
        (a.dueOn ?? '9999-12-31').localeCompare(b.dueOn ?? '9999-12-31') ||
        a.createdAt.getTime() - b.createdAt.getTime(),
    );
  const done = tasks
    .filter((task) => task.doneAt !== null)
    .sort((a, b) => (b.doneAt?.getTime() ?? 0) - (a.doneAt?.getTime() ?? 0));
  return [...open, ...done];
}

/**
 * Who may own a task in this case: active staff whom the policy lets open it without breaking the
 * glass (its assignee, its team, those who see every case), by name.
 */
export async function possibleOwners(trx: Database, caseFacts: CaseFacts): Promise<StaffOption[]> {
  const facts = { assignedUserId: caseFacts.assignedUserId, teamId: caseFacts.teamId };
  const rows = await trx
    .selectFrom('staff_user')
    .select(['id', 'display_name', 'role', 'team_id'])
    .where('disabled_at', 'is', null)
    .where('password_hash', 'is not', null)
    .orderBy('display_name')
    .execute();
  return rows
    .filter(
      (row) =>
        isRole(row.role) &&
        caseAccess({ role: row.role, userId: row.id, teamId: row.team_id }, facts) === 'granted',
    )
    .map((row) => ({ id: row.id, name: row.display_name }));
}

function selectTasks(trx: Database) {
  return trx
    .selectFrom('case_task')
    .leftJoin('staff_user as owner', 'owner.id', 'case_task.owner_user_id')
    .leftJoin('staff_user as finisher', 'finisher.id', 'case_task.done_by')
    .select([
      'case_task.id',
      'case_task.case_id',
      'case_task.title',
      'case_task.due_on',
      'case_task.owner_user_id',
      'case_task.created_at',
      'case_task.done_at',
      'owner.display_name as owner_name',
      'finisher.display_name as done_by_name',
    ]);
}

type TaskRow = Awaited<ReturnType<ReturnType<typeof selectTasks>['execute']>>[number];

const taskOf = (row: TaskRow): Task => ({
  id: row.id,
  title: row.title,
  dueOn: row.due_on,
  ownerId: row.owner_user_id,
  ownerName: row.owner_name,
  createdAt: row.created_at,
  doneAt: row.done_at,
  doneByName: row.done_by_name,
});

export interface CaseTasks {
  caseFacts: CaseFacts;
  tasks: Task[];
  owners: StaffOption[];
}

/** The case's tasks in list order, and who may own a new one; audited as 'case.tasks_read'. */
export async function listCaseTasks(db: Database, caseId: string, work: CaseWork): Promise<CaseTasks> {
  return db.transaction().execute(async (trx) => {
    const caseFacts = await readCaseFacts(trx, caseId);
    const rows = await selectTasks(trx).where('case_task.case_id', '=', caseId).execute();
    const owners = await possibleOwners(trx, caseFacts);
    await recordAudit(trx, caseAuditEvent(work.actor, work.requestId, caseId, 'case.tasks_read'));
    return { caseFacts, tasks: orderTasks(rows.map(taskOf)), owners };
  });
}

export interface NewTask {
  title: string;
  dueOn: string | null;
  ownerId: string;
}

/**
 * Adds a task; 'owner_not_allowed' (nothing written) when the owner may not open the case, which the
 * form's list prevents unless someone lost access in between or the form was tampered with.
 */
export async function addTask(
  db: Database,
  caseId: string,
  task: NewTask,
  work: CaseWork,
): Promise<'added' | 'owner_not_allowed'> {
  return db.transaction().execute(async (trx) => {
    const caseFacts = await readCaseFacts(trx, caseId);
    const owners = await possibleOwners(trx, caseFacts);
    if (!owners.some((owner) => owner.id === task.ownerId)) return 'owner_not_allowed';
    const id = randomUUID();
    await trx
      .insertInto('case_task')
      .values({
        id,
        case_id: caseId,
        title: task.title,
        due_on: task.dueOn,
        owner_user_id: task.ownerId,
        created_by: work.principal.userId,
      })
      .execute();
    await recordAudit(
      trx,
      caseAuditEvent(work.actor, work.requestId, caseId, 'case.task_added', { task: id }),
    );
    return 'added';
  });
}

/** Marks a task done, or open again. 'unchanged' when it already was (someone else was quicker). */
export async function setTaskDone(
  db: Database,
  caseId: string,
  taskId: string,
  done: boolean,
  work: CaseWork,
): Promise<'changed' | 'unchanged' | 'missing'> {
  if (!isUuid(taskId)) return 'missing';
  return db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('case_task')
      .set(done ? { done_at: new Date(), done_by: work.principal.userId } : { done_at: null, done_by: null })
      .where('id', '=', taskId)
      .where('case_id', '=', caseId)
      .where('done_at', done ? 'is' : 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (!changed) {
      const exists = await trx
        .selectFrom('case_task')
        .select('id')
        .where('id', '=', taskId)
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      return exists ? 'unchanged' : 'missing';
    }
    const action = done ? 'case.task_done' : 'case.task_updated';
    await recordAudit(trx, caseAuditEvent(work.actor, work.requestId, caseId, action, { task: taskId }));
    return 'changed';
  });
}

export interface MyTask extends Task {
  caseId: string;
  caseNumber: string;
}

/**
 * The signed-in user's open tasks, in the cases they may open now (policy visibility, or a live
 * break-the-glass grant), soonest due first. One 'case.tasks_read' audit row per case shown.
 */
export async function listMyTasks(
  db: Database,
  principal: StaffPrincipal,
  access: { actor: AuditActor; requestId: string },
  now = new Date(),
): Promise<MyTask[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await selectTasks(trx)
      .innerJoin('case_file', 'case_file.id', 'case_task.case_id')
      .select('case_file.number as case_number')
      .where('case_task.owner_user_id', '=', principal.userId)
      .where('case_task.done_at', 'is', null)
      .where(visibleTo(principal, now))
      .execute();
    const caseOf = new Map(rows.map((row) => [row.id, row]));
    const tasks = orderTasks(rows.map(taskOf)).map((task) => {
      const row = caseOf.get(task.id);
      return { ...task, caseId: row?.case_id ?? '', caseNumber: row?.case_number ?? '' };
    });
    for (const caseId of new Set(tasks.map((task) => task.caseId))) {
      await recordAudit(trx, caseAuditEvent(access.actor, access.requestId, caseId, 'case.tasks_read'));
    }
    return tasks;
  });
}
