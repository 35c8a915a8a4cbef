import type { Database } from '../../db/database.ts';
import { isUuid } from '../../db/ids.ts';
import type { FormProblem } from '../../web/form-validation.ts';
import {
  listAuditEvents,
  recordAudit,
  type AuditActor,
  type AuditFilters,
  type AuditPage,
} from './audit-service.ts';

/**
 * The administrators' search over the whole audit log: filters from the query string (checked, with
 * Dutch messages beside each field), keyset pages, and the names of the staff users acting. The
 * search itself is an audit event ('audit.searched'), recorded in the transaction that read the page.
 */

/** The query-string names of the filters, in the order of the form. */
export const searchFields = ['actie', 'type', 'object', 'gebruiker', 'van', 'tot'] as const;
export type SearchField = (typeof searchFields)[number];
export type SearchInput = Partial<Record<SearchField, string>>;

const ACTION_PREFIX = /^[a-z0-9_.]{1,100}$/;
const ENTITY_TYPE = /^[a-z][a-z0-9_]{0,49}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_ZONE = 'Europe/Amsterdam';

/** The UTC moment of midnight at the start of a calendar day in Amsterdam; undefined for no such day. */
export function startOfDayInAmsterdam(text: string): Date | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = new Date(Date.UTC(year, month - 1, day));
  if (utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day)
    return undefined;
  // The offset in force at that midnight: one hour in winter, two in summer.
  const offsetText =
    new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
      .formatToParts(new Date(utc.getTime() - 2 * 60 * 60 * 1000))
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT+00:00';
  const offset = /GMT([+-])(\d{2}):(\d{2})/.exec(offsetText);
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  return new Date(utc.getTime() - minutes * 60 * 1000);
}

/** `2026-03-31` → `2026-04-01` (for a date already checked). */
function dayAfter(text: string): string {
  const [year, month, day] = text.split('-').map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (day ?? 1) + 1)).toISOString().slice(0, 10);
}

export type ParsedSearch = { ok: true; filters: AuditFilters } | { ok: false; problems: FormProblem[] };

/** Filters from the form; `tot` includes the whole day it names. */
export function parseSearch(input: SearchInput): ParsedSearch {
  const problems: FormProblem[] = [];
  const invalid = (field: SearchField, messageKey: string) =>
    problems.push({ field, kind: 'invalid', messageKey: `audit.search.errors.${messageKey}` });
  const filters: AuditFilters = {};
  if (input.actie !== undefined) {
    if (ACTION_PREFIX.test(input.actie)) filters.actionPrefix = input.actie;
    else invalid('actie', 'action');
  }
  if (input.type !== undefined) {
    if (ENTITY_TYPE.test(input.type)) filters.entityType = input.type;
    else invalid('type', 'entity_type');
  }
  if (input.object !== undefined) {
    // PostgreSQL text cannot hold NUL: comparing with one is a database error, not "no match".
    if (input.object.length <= 200 && !input.object.includes('\u0000')) filters.entityId = input.object;
    else invalid('object', 'entity_id');
  }
  if (input.gebruiker !== undefined) {
    if (isUuid(input.gebruiker)) filters.actorUserId = input.gebruiker;
    else invalid('gebruiker', 'actor');
  }
  if (input.van !== undefined) {
    const from = startOfDayInAmsterdam(input.van);
    if (from) filters.from = from;
    else invalid('van', 'date');
  }
  if (input.tot !== undefined) {
    // Until midnight at the end of that day in Amsterdam (23 or 25 hours on the days clocks change).
    const next = startOfDayInAmsterdam(input.tot) && startOfDayInAmsterdam(dayAfter(input.tot));
    if (next) filters.to = next;
    else invalid('tot', 'date');
  }
  if (filters.from && filters.to && filters.from >= filters.to) invalid('tot', 'order');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filters };
}

export interface StaffName {
  displayName: string;
  role: string;
}

export interface SearchResult extends AuditPage {
  /** Display names of the staff users acting on this page. */
  names: Map<string, StaffName>;
}

/** One page of the log, with the search recorded as an event in the same transaction. */
export async function searchAuditLog(
  db: Database,
  search: { filters: AuditFilters; before: number | undefined; limit?: number },
  who: { actor: AuditActor; requestId: string },
): Promise<SearchResult> {
  return db.transaction().execute(async (trx) => {
    const page = await listAuditEvents(trx, search.filters, {
      ...(search.before !== undefined ? { before: search.before } : {}),
      limit: search.limit ?? 50,
    });
    const actorIds = [
      ...new Set(page.events.map((e) => e.actorUserId).filter((id): id is string => id !== null)),
    ];
    const people =
      actorIds.length === 0
        ? []
        : await trx
            .selectFrom('staff_user')
            .select(['id', 'display_name', 'role'])
            .where('id', 'in', actorIds)
            .execute();
    await recordAudit(trx, {
      actor: who.actor,
      action: 'audit.searched',
      requestId: who.requestId,
      details: {
        filters: Object.keys(search.filters).sort().join(',') || 'none',
        page: search.before === undefined ? 'first' : 'later',
        results: page.events.length,
      },
    });
    return {
      ...page,
      names: new Map(people.map((p) => [p.id, { displayName: p.display_name, role: p.role }])),
    };
  });
}

/** Everyone who can act, for the filter's choice list (deactivated users included: they acted once). */
export async function staffChoices(db: Database): Promise<{ id: string; displayName: string }[]> {
  const rows = await db
    .selectFrom('staff_user')
    .select(['id', 'display_name'])
    .orderBy('display_name')
    .execute();
  return rows.map((row) => ({ id: row.id, displayName: row.display_name }));
}
