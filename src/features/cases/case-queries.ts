import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { CaseStatus, DB, Urgency } from '../../db/schema.ts';
import { caseVisibility, type StaffPrincipal } from '../../web/policy.ts';
import { isUuid } from '../../db/ids.ts';

/**
 * Reading lists of cases. Every list is filtered by the policy's `caseVisibility` in SQL, so a list
 * never shows (or counts) a case its reader would be refused on opening it.
 */

export const CASE_PAGE_SIZE = 25;

/**
 * The SQL condition "this principal may open this case without stating a reason": by the policy's
 * visibility, or through a live break-the-glass grant (a reason given within the grant's hours), as
 * the case page decides (policy.caseAccess with `hasLiveGrant`). Lists, search and "Mijn taken" all
 * filter with this, so none of them shows what a page would refuse or hides what it would show.
 */
export function visibleTo(
  principal: Pick<StaffPrincipal, 'role' | 'userId' | 'teamId'>,
  now: Date = new Date(),
): (eb: ExpressionBuilder<DB, 'case_file'>) => Expression<SqlBool> {
  const visibility = caseVisibility(principal);
  return (eb) => {
    if (visibility.kind === 'all') return eb.val(true);
    if (visibility.kind === 'none') return eb.val(false);
    const own = [eb('case_file.assigned_user_id', '=', visibility.userId)];
    if (visibility.teamId !== null) own.push(eb('case_file.team_id', '=', visibility.teamId));
    own.push(
      eb.exists(
        eb
          .selectFrom('case_access_grant')
          .select(sql<number>`1`.as('one'))
          .whereRef('case_access_grant.case_id', '=', 'case_file.id')
          .where('case_access_grant.user_id', '=', visibility.userId)
          .where('case_access_grant.expires_at', '>', now),
      ),
    );
    return eb.or(own);
  };
}

export interface CaseListFilters {
  status?: CaseStatus | undefined;
  /** Cases with an overdue task or a high urgency first (then most recently changed). */
  urgentFirst: boolean;
  /** Only cases whose closure waits for a coordinator. */
  closurePending?: boolean;
}

/** Where the next page starts: the last row of this one (`updatedAtMicros` is exact, unlike a Date). */
export interface CaseCursor {
  priority: number;
  updatedAtMicros: number;
  id: string;
}

const CURSOR_PATTERN = /^(\d{1,2})_(\d{1,16})_([0-9a-f-]{36})$/;

export const formatCaseCursor = (c: CaseCursor) => `${c.priority}_${c.updatedAtMicros}_${c.id}`;

export function parseCaseCursor(value: unknown): CaseCursor | undefined {
  if (typeof value !== 'string') return undefined;
  const match = CURSOR_PATTERN.exec(value);
  if (!match || !isUuid(match[3] ?? '')) return undefined;
  const micros = Number(match[2]);
  if (!Number.isSafeInteger(micros)) return undefined;
  return { priority: Number(match[1]), updatedAtMicros: micros, id: match[3] ?? '' };
}

export interface CaseListRow {
  id: string;
  number: string;
  title: string;
  status: CaseStatus;
  urgency: Urgency;
  municipality: string;
  assignedName: string | null;
  teamName: string | null;
  updatedAt: Date;
  overdueTasks: number;
  closurePending: boolean;
}

/**
 * Urgent-first order: an overdue open task counts most, then urgency (acute 3 … low 0). Plain order
 * gives every row priority 0, so the same keyset works for both.
 */
const priorityOf = (urgentFirst: boolean) =>
  urgentFirst
    ? sql<number>`((case when exists (select 1 from case_task t where t.case_id = case_file.id
          and t.done_at is null and t.due_on < current_date) then 4 else 0 end)
        + (case case_file.urgency when 'acute' then 3 when 'high' then 2 when 'normal' then 1 else 0 end))`
    : sql<number>`0::int`; // an expression: a bare 0 in ORDER BY would mean "column 0"

const fromMicros = (micros: number) =>
  sql<Date>`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`;

export async function listCases(
  db: Database,
  principal: StaffPrincipal,
  filters: CaseListFilters,
  cursor?: CaseCursor,
): Promise<{ rows: CaseListRow[]; next?: CaseCursor }> {
  const priority = priorityOf(filters.urgentFirst);
  let query = db
    .selectFrom('case_file')
    .leftJoin('staff_user', 'staff_user.id', 'case_file.assigned_user_id')
    .leftJoin('team', 'team.id', 'case_file.team_id')
    .where(visibleTo(principal))
    .select([
      'case_file.id',
      'case_file.number',
      'case_file.title',
      'case_file.status',
      'case_file.urgency',
      'case_file.municipality',
      'case_file.updated_at',
      'case_file.closure_requested_at',
      'staff_user.display_name',
      'team.name as team_name',
      priority.as('priority'),
      sql<number>`(extract(epoch from case_file.updated_at) * 1000000)::bigint`.as('updated_micros'),
      sql<number>`(select count(*) from case_task t where t.case_id = case_file.id
          and t.done_at is null and t.due_on < current_date)::int`.as('overdue_tasks'),
    ]);
  if (filters.status) query = query.where('case_file.status', '=', filters.status);
  if (filters.closurePending) {
    query = query
      .where('case_file.closure_requested_at', 'is not', null)
      .where('case_file.status', '<>', 'closed');
  }
  if (cursor) {
    query = query.where(
      sql<boolean>`(${priority}, case_file.updated_at, case_file.id) < (${cursor.priority}::int, ${fromMicros(cursor.updatedAtMicros)}, ${cursor.id}::uuid)`,
    );
  }
  const rows = await query
    .orderBy(priority, 'desc')
    .orderBy('case_file.updated_at', 'desc')
    .orderBy('case_file.id', 'desc')
    .limit(CASE_PAGE_SIZE + 1)
    .execute();
  const page = rows.slice(0, CASE_PAGE_SIZE).map((row): CaseListRow => ({
    id: row.id,
    number: row.number,
    title: row.title,
    status: row.status,
    urgency: row.urgency,
    municipality: row.municipality,
    assignedName: row.display_name,
    teamName: row.team_name,
    updatedAt: row.updated_at,
    overdueTasks: row.overdue_tasks,
    closurePending: row.closure_requested_at !== null && row.status !== 'closed',
  }));
  const last = rows[CASE_PAGE_SIZE - 1];
  if (rows.length <= CASE_PAGE_SIZE || !last) return { rows: page };
  return {
    rows: page,
    next: { priority: last.priority, updatedAtMicros: last.updated_micros, id: last.id },
  };
}

/** The case a report belongs to, if any (for the report page). */
export async function caseOfReport(
  db: Database,
  reportId: string,
): Promise<{ id: string; number: string } | undefined> {
  return db
    .selectFrom('case_report')
    .innerJoin('case_file', 'case_file.id', 'case_report.case_id')
    .select(['case_file.id', 'case_file.number'])
    .where('case_report.report_id', '=', reportId)
    .executeTakeFirst();
}

/** Advisors and teams a coordinator can assign a case to. */
export async function assignmentOptions(db: Database) {
  const [advisors, teams] = await Promise.all([
    db
      .selectFrom('staff_user')
      .select(['id', 'display_name'])
      .where('role', '=', 'advisor')
      .where('disabled_at', 'is', null)
      .orderBy('display_name')
      .execute(),
    db.selectFrom('team').select(['id', 'name']).orderBy('name').execute(),
  ]);
  return {
    advisors: advisors.map((a) => ({ id: a.id, name: a.display_name })),
    teams: teams.map((t) => ({ id: t.id, name: t.name })),
  };
}

export interface AccessGrantRow {
  id: string;
  caseId: string;
  caseNumber: string;
  userName: string;
  reason: string;
  grantedAt: Date;
  reviewedAt: Date | null;
  reviewerName: string | null;
}

/** Recent break-the-glass openings, unreviewed first, for the coordinator's review list. */
export async function listAccessGrants(db: Database, limit = 100): Promise<AccessGrantRow[]> {
  const rows = await db
    .selectFrom('case_access_grant as g')
    .innerJoin('case_file', 'case_file.id', 'g.case_id')
    .innerJoin('staff_user as u', 'u.id', 'g.user_id')
    .leftJoin('staff_user as r', 'r.id', 'g.reviewed_by')
    .select([
      'g.id',
      'g.case_id',
      'case_file.number',
      'u.display_name as user_name',
      'g.reason',
      'g.granted_at',
      'g.reviewed_at',
      'r.display_name as reviewer_name',
    ])
    .orderBy(sql`g.reviewed_at is null`, 'desc')
    .orderBy('g.granted_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    caseId: row.case_id,
    caseNumber: row.number,
    userName: row.user_name,
    reason: row.reason,
    grantedAt: row.granted_at,
    reviewedAt: row.reviewed_at,
    reviewerName: row.reviewer_name,
  }));
}
