import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { GENESIS_HASH, checkDetails, hashRow, isStorableText, type AuditDetails } from './chain.ts';
import { isUuid } from '../../db/ids.ts';

/**
 * The audit log: who did what to which record, when, and why where asked. Append-only (a database
 * trigger refuses updates and deletes) and hash-chained (see chain.ts and verify.ts).
 */

export type AuditActorRole =
  'system' | 'admin' | 'coordinator' | 'advisor' | 'reporter' | 'partner' | 'statistics';

export interface AuditActor {
  /** A staff user's id; absent for the system and for public actors (reporters). */
  userId?: string | null;
  role: AuditActorRole;
}

export const SYSTEM_ACTOR: AuditActor = { role: 'system' };

/** The entity type under which `caseAccessLog` finds a case's events. */
export const CASE_ENTITY = 'case';

export interface AuditEventInput {
  /** Absent when nobody is known (a failed login for an unknown account). */
  actor?: AuditActor;
  /** `<area>.<verb>`, lower case: 'case.read', 'login.failure', 'staff.created', 'case.break_glass'. */
  action: string;
  /** What was read or changed. Events about part of a case (a file, a note) name the case here. */
  entity?: { type: string; id: string };
  /** Why, where the person was asked (break-the-glass). */
  reason?: string;
  requestId?: string;
  /** Small facts about the event; never personal content or case content. */
  details?: AuditDetails;
}

/** An event about a case or a part of it (a person, a task, a note): filed under the case itself. */
export const caseAuditEvent = (
  actor: AuditActor,
  requestId: string,
  caseId: string,
  action: string,
  details?: AuditDetails,
  reason?: string,
): AuditEventInput => ({
  actor,
  action,
  entity: { type: CASE_ENTITY, id: caseId },
  requestId,
  ...(details ? { details } : {}),
  ...(reason ? { reason } : {}),
});

export interface RecordedAuditEvent {
  seq: number;
  id: string;
  at: Date;
  hash: string;
}

/** One lock for every process appending to the log; any constant, the same everywhere. */
const AUDIT_LOCK_ID = 7_326_100;

const ACTION_PATTERN = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;
const ENTITY_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;
const ROLES = new Set<string>(['system', 'admin', 'coordinator', 'advisor', 'reporter', 'partner']);

function checkText(name: string, value: string | undefined, maxLength: number): string | null {
  if (value === undefined) return null;
  if (value.length === 0 || value.length > maxLength || !isStorableText(value)) {
    throw new TypeError(`audit event: ${name} must be 1 to ${maxLength} characters of plain text`);
  }
  return value;
}

/** The stored form of an event; refuses anything the chain could not reproduce on verification. */
function normalise(event: AuditEventInput) {
  if (!ACTION_PATTERN.test(event.action) || event.action.length > 100) {
    throw new TypeError(`audit event: action "${event.action}" is not like "case.read"`);
  }
  const actor = event.actor;
  if (actor && !ROLES.has(actor.role)) throw new TypeError(`audit event: unknown role "${actor.role}"`);
  const userId = actor?.userId ?? null;
  // PostgreSQL prints a uuid in lower case; the hash must be over what comes back.
  if (userId !== null && !isUuid(userId)) throw new TypeError('audit event: userId is not a uuid');
  if (event.entity && (!ENTITY_TYPE_PATTERN.test(event.entity.type) || event.entity.type.length > 50)) {
    throw new TypeError(`audit event: entity type "${event.entity.type}" is not like "case"`);
  }
  return {
    actor_user_id: userId?.toLowerCase() ?? null,
    actor_role: actor?.role ?? null,
    action: event.action,
    entity_type: event.entity?.type ?? null,
    entity_id: checkText('entity id', event.entity?.id, 200),
    reason: checkText('reason', event.reason?.trim(), 2000),
    request_id: checkText('request id', event.requestId, 200),
    detailsJson: event.details === undefined ? null : checkDetails(event.details),
  };
}

/**
 * Appends one event, inside the transaction of what it records: if that transaction rolls back, so
 * does the event, and the chain stays whole. Takes a transaction-scoped advisory lock before
 * reading the last row, so appends from every transaction and process form one chain; the lock is
 * held until commit, so call this as late in the transaction as possible. Needs the default
 * READ COMMITTED isolation (a REPEATABLE READ snapshot taken earlier would not see the last row;
 * the insert then fails on the primary key rather than forking the chain).
 */
export async function recordAudit(trx: Transaction<DB>, event: AuditEventInput): Promise<RecordedAuditEvent> {
  // The types cannot tell the database from a transaction (a Transaction is a Kysely); this can.
  const handle: Database = trx;
  if (!handle.isTransaction) {
    throw new TypeError('recordAudit needs the transaction of the change it records, not the database');
  }
  const fields = normalise(event);
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_ID})`.execute(trx);
  // A new statement, so under READ COMMITTED it sees the row committed by the last lock holder.
  const last = await trx
    .selectFrom('audit_event')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const { detailsJson, ...columns } = fields;
  const row = {
    seq: (last?.seq ?? 0) + 1,
    id: randomUUID(),
    // Taken under the lock, so times follow the chain's order within one clock.
    at: new Date(),
    ...columns,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const details = detailsJson === null ? null : (JSON.parse(detailsJson) as Record<string, unknown>);
  const hash = hashRow({ ...row, details });
  await trx
    .insertInto('audit_event')
    .values({ ...row, details: detailsJson, hash })
    .execute();
  return { seq: row.seq, id: row.id, at: row.at, hash };
}

/**
 * For an event that has no change of its own to go with (a failed login): its own transaction.
 * Anything that changes or reads case data uses `recordAudit` inside that work's transaction.
 */
export async function recordAuditAlone(db: Database, event: AuditEventInput): Promise<RecordedAuditEvent> {
  return db.transaction().execute((trx) => recordAudit(trx, event));
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: Date;
  actorUserId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  reason: string | null;
  requestId: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditFilters {
  actorUserId?: string;
  actorRole?: AuditActorRole;
  /** Exact action, e.g. 'case.read'. */
  action?: string;
  /** Every action starting with this, e.g. 'login.'. */
  actionPrefix?: string;
  entityType?: string;
  entityId?: string;
  /** From this moment (inclusive). */
  from?: Date;
  /** Until this moment (exclusive). */
  to?: Date;
}

export interface AuditPageRequest {
  /** The `next` of the previous page: only events older than this seq. */
  before?: number;
  /** 1 to 200; 50 by default. */
  limit?: number;
}

export interface AuditPage {
  events: AuditEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: number;
}

export const MAX_AUDIT_PAGE = 200;

/** The administrators' search over the whole log, newest first, a page at a time (keyset on seq). */
export async function listAuditEvents(
  db: Database,
  filters: AuditFilters = {},
  page: AuditPageRequest = {},
): Promise<AuditPage> {
  const requested = page.limit ?? 50;
  const limit = Number.isFinite(requested)
    ? Math.min(Math.max(Math.trunc(requested), 1), MAX_AUDIT_PAGE)
    : 50;
  if (page.before !== undefined && !Number.isSafeInteger(page.before)) {
    throw new TypeError('audit page: before must be a whole number');
  }
  for (const moment of [filters.from, filters.to]) {
    if (moment !== undefined && Number.isNaN(moment.getTime()))
      throw new TypeError('audit filter: invalid date');
  }
  // A malformed uuid would make PostgreSQL throw; it cannot match anything anyway.
  if (filters.actorUserId !== undefined && !isUuid(filters.actorUserId)) return { events: [] };
  let query = db
    .selectFrom('audit_event')
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  if (filters.actorUserId !== undefined) {
    query = query.where('actor_user_id', '=', filters.actorUserId.toLowerCase());
  }
  if (filters.actorRole !== undefined) query = query.where('actor_role', '=', filters.actorRole);
  if (filters.action !== undefined) query = query.where('action', '=', filters.action);
  if (filters.actionPrefix !== undefined) {
    query = query.where(sql<boolean>`starts_with(action, ${filters.actionPrefix})`);
  }
  if (filters.entityType !== undefined) query = query.where('entity_type', '=', filters.entityType);
  if (filters.entityId !== undefined) query = query.where('entity_id', '=', filters.entityId);
  if (filters.from !== undefined) query = query.where('at', '>=', filters.from);
  if (filters.to !== undefined) query = query.where('at', '<', filters.to);
  const rows = await query
    .select([
      'seq',
      'id',
      'at',
      'actor_user_id',
      'actor_role',
      'action',
      'entity_type',
      'entity_id',
      'reason',
      'request_id',
      'details',
    ])
    .execute();
  const events = rows.slice(0, limit).map((row): AuditEntry => ({
    seq: row.seq,
    id: row.id,
    at: row.at,
    actorUserId: row.actor_user_id,
    actorRole: row.actor_role,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    reason: row.reason,
    requestId: row.request_id,
    details: row.details,
  }));
  const lastEvent = events.at(-1);
  return rows.length > limit && lastEvent ? { events, next: lastEvent.seq } : { events };
}

/** Who read or changed a case, newest first: what coordinators see on the case. */
export async function caseAccessLog(
  db: Database,
  caseId: string,
  page: AuditPageRequest = {},
): Promise<AuditPage> {
  return listAuditEvents(db, { entityType: CASE_ENTITY, entityId: caseId }, page);
}
