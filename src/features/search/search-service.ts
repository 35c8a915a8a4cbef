import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Database } from '../../db/database.ts';
import { caseStatuses, urgencies, type CaseStatus, type DB, type Urgency } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';
import { can, type StaffPrincipal } from '../../web/policy.ts';
import { visibleTo } from '../cases/case-queries.ts';
import { exploitationForms } from '../cases/codes.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { widenableWords } from './dutch-variants.ts';

/**
 * Dutch full-text search over the cases one may open (number, title, summary), their notes, and
 * reports from the portal (for those who may read reports). Uses the generated `search` tsvector
 * columns (PostgreSQL's `dutch` configuration, also in PGlite) and their GIN indexes.
 *
 * Order: newest first, by (date, id). Ranking by ts_rank was considered and left out: a rank is only
 * known after every match has been found and scored, so a common word over 500,000 notes would be
 * scored in full on every page, and a rank is no stable key for keyset pagination (ties, and a row's
 * rank is not stored anywhere to continue from). Newest-first lets PostgreSQL walk the date indexes
 * and stop after one page, makes "next page" an index seek from the last row (never OFFSET), and is
 * what staff ask for when they look for a recent case. The date of a hit is when the case was opened,
 * when the note was written, or when the report was received.
 */

export const SEARCH_PAGE_SIZE = 25;
export const SEARCH_QUERY_MAX_CHARS = 200;

export const searchTypes = ['alles', 'casussen', 'meldingen', 'notities'] as const;
export type SearchType = (typeof searchTypes)[number];

/** Exploitation form codes of a case (cases/codes.ts). */
export const caseExploitationForms = exploitationForms;
export type CaseExploitationForm = (typeof caseExploitationForms)[number];

export interface SearchFilters {
  status?: CaseStatus | undefined;
  form?: CaseExploitationForm | undefined;
  /** A CBS code of the region, 'outside' or 'unknown'. */
  municipality?: string | undefined;
  urgency?: Urgency | undefined;
  /** Inclusive calendar dates (YYYY-MM-DD), in the centre's time zone. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Where the next page starts: the date (exact, in microseconds) and id of this page's last hit. */
export interface SearchCursor {
  atMicros: number;
  id: string;
}

/** Status and urgency belong to cases: with either set, reports (which have neither) are left out. */
export const hasCaseOnlyFilter = (filters: SearchFilters) =>
  filters.status !== undefined || filters.urgency !== undefined;

/** A headline split at the database's match markers; the view marks `marked` parts with <mark>. */
export interface HeadlinePart {
  text: string;
  marked: boolean;
}

export type SearchHit =
  | { kind: 'case'; id: string; at: Date; caseNumber: string; caseTitle: string; headline: HeadlinePart[] }
  | {
      kind: 'note';
      id: string;
      at: Date;
      caseId: string;
      caseNumber: string;
      caseTitle: string;
      headline: HeadlinePart[];
    }
  | { kind: 'report'; id: string; at: Date; headline: HeadlinePart[] };

export interface SearchRequest {
  text: string;
  type: SearchType;
  filters: SearchFilters;
  cursor?: SearchCursor | undefined;
}

export type SearchOutcome =
  /** The query had no words to search for (only punctuation or very common words such as "de"). */
  { status: 'no_terms' } | { status: 'done'; hits: SearchHit[]; next?: SearchCursor };

// ---------- Cursor: opaque to the user, strict when read back ----------

const CURSOR_PATTERN = /^(\d{1,16})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function formatSearchCursor(cursor: SearchCursor): string {
  return Buffer.from(`${cursor.atMicros}.${cursor.id}`, 'utf8').toString('base64url');
}

export function parseSearchCursor(value: unknown): SearchCursor | undefined {
  if (typeof value !== 'string' || value.length > 100 || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const match = CURSOR_PATTERN.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const atMicros = Number(match[1]);
  if (!Number.isSafeInteger(atMicros)) return undefined;
  return { atMicros, id: match[2] ?? '' };
}

// ---------- Headlines ----------

/**
 * ts_headline marks matches with StartSel/StopSel. Control characters that never occur in stored
 * text (they are removed from the document before highlighting) are used, so the result can be
 * split into plain text parts and every part escaped by the view: no HTML from the database is ever
 * rendered as HTML.
 */
export const MARK_START = '\u0002';
export const MARK_STOP = '\u0003';
const MARKERS = new RegExp(`([${MARK_START}${MARK_STOP}])`);
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_STOP}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;

export function headlineParts(raw: string | null): HeadlinePart[] {
  if (!raw) return [];
  const parts: HeadlinePart[] = [];
  let marked = false;
  for (const piece of raw.split(MARKERS)) {
    if (piece === MARK_START) marked = true;
    else if (piece === MARK_STOP) marked = false;
    else if (piece !== '') parts.push({ text: piece, marked });
  }
  return parts;
}

// ---------- Query ----------

/**
 * The query as a tsquery: `websearch_to_tsquery` (quotes for phrases, OR, a minus to exclude; it
 * never raises on odd input), each word also matching its participle or infinitive (see
 * dutch-variants.ts). Returned as text, so every search statement below gets it as one constant and
 * the planner sees the actual words when it estimates how common they are.
 */
async function compileQuery(db: Database | Transaction<DB>, text: string): Promise<string | undefined> {
  let query: RawBuilder<unknown> = sql`websearch_to_tsquery('dutch', ${text})`;
  for (const { word, variants } of widenableWords(text)) {
    const target = sql`plainto_tsquery('dutch', ${word})`;
    const widened = variants.reduce<RawBuilder<unknown>>(
      (acc, variant) => sql`${acc} || plainto_tsquery('dutch', ${variant})`,
      target,
    );
    // A stop word gives an empty target, with which ts_rewrite changes nothing.
    query = sql`ts_rewrite(${query}, ${target}, ${widened})`;
  }
  const row = await sql<{ query: string; nodes: number }>`
    select q::text as query, numnode(q) as nodes from (select ${query} as q) compiled`
    .execute(db)
    .then((result) => result.rows[0]);
  return row && row.nodes > 0 ? row.query : undefined;
}

/** An instant given as microseconds since the epoch, exact (see the inbox's cursor). */
const fromMicros = (micros: number) =>
  sql<Date>`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`;

const asMicros = (column: RawBuilder<unknown>) =>
  sql<number>`(extract(epoch from ${column}) * 1000000)::bigint`;

/** Calendar dates are days in the centre's time zone. */
const TIME_ZONE = 'Europe/Amsterdam';
const startOfDay = (date: string) => sql`((${date}::date)::timestamp at time zone ${TIME_ZONE})`;
const startOfNextDay = (date: string) => sql`((${date}::date + 1)::timestamp at time zone ${TIME_ZONE})`;

type Principal = Pick<StaffPrincipal, 'role' | 'userId' | 'teamId'>;
type CaseColumns = ExpressionBuilder<DB, 'case_file'>;

/** Filters that describe the case (of a case hit, or of the case a note belongs to). */
function caseFilters(filters: SearchFilters) {
  return (eb: CaseColumns) => {
    const conditions: Expression<SqlBool>[] = [];
    if (filters.status) conditions.push(eb('case_file.status', '=', filters.status));
    if (filters.urgency) conditions.push(eb('case_file.urgency', '=', filters.urgency));
    if (filters.municipality) conditions.push(eb('case_file.municipality', '=', filters.municipality));
    if (filters.form) conditions.push(sql<SqlBool>`${filters.form} = any(case_file.exploitation_forms)`);
    return eb.and(conditions);
  };
}

/** Date range and keyset position on one table's date column and id. */
function pageConditions(
  dateColumn: RawBuilder<unknown>,
  idColumn: RawBuilder<unknown>,
  filters: SearchFilters,
  cursor: SearchCursor | undefined,
): Expression<SqlBool> {
  const conditions: RawBuilder<unknown>[] = [];
  if (filters.from) conditions.push(sql`${dateColumn} >= ${startOfDay(filters.from)}`);
  if (filters.to) conditions.push(sql`${dateColumn} < ${startOfNextDay(filters.to)}`);
  if (cursor) {
    conditions.push(sql`(${dateColumn}, ${idColumn}) < (${fromMicros(cursor.atMicros)}, ${cursor.id}::uuid)`);
  }
  return conditions.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

type SearchedTable = 'case_file' | 'case_note' | 'report';

/**
 * Words that are rare in a table are searched differently. The planner assumes matches are spread
 * evenly over the dates, so for a word in a few hundred rows it still walks the date index,
 * visiting tens of thousands of rows (seen with 500,000 notes: over 100 ms). For rare words all
 * matches are therefore collected through the GIN index and then sorted; common words are left to
 * the planner (walking the dates backwards stops after one page). Where "rare" ends depends on the
 * table's size (rareThreshold), and is never more than RARE_MATCHES.
 *
 * Whether a word is rare: the planner's estimate first (planning only, well under a millisecond),
 * which settles clearly common words; otherwise a count through the GIN index that stops at the
 * threshold, since the estimate can be far off for words that occur together ("paspoort
 * werkgever"), and collecting tens of thousands of matches would be slower than walking the dates.
 */
export const RARE_MATCHES = 5000;

async function estimatedMatches(trx: Transaction<DB>, table: SearchedTable, q: RawBuilder<unknown>) {
  const result = await sql<{ 'QUERY PLAN': unknown }>`explain (format json)
    select 1 from ${sql.table(table)} where search @@ ${q}`.execute(trx);
  const plan: unknown = result.rows[0]?.['QUERY PLAN'];
  // pg parses the json column; PGlite returns it as text.
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [
    { Plan?: { 'Plan Rows'?: number } },
  ];
  return parsed[0].Plan?.['Plan Rows'] ?? Number.POSITIVE_INFINITY;
}

/**
 * Where collecting every match starts to cost more than walking the dates: with n rows and a share
 * s of them matching, collecting reads n·s rows and the walk about PAGE/s, equal at n·s = √(PAGE·n).
 * Twice that, since filters and case visibility make the walk longer; at most RARE_MATCHES.
 */
async function rareThreshold(trx: Transaction<DB>, table: SearchedTable): Promise<number> {
  const result = await sql<{ rows: number }>`select reltuples::float8 as rows from pg_class
    where oid = ${table}::regclass`.execute(trx);
  const rows = result.rows[0]?.rows ?? -1;
  if (rows < 0) return RARE_MATCHES; // never analysed
  return Math.round(Math.min(RARE_MATCHES, Math.max(100, 2 * Math.sqrt(SEARCH_PAGE_SIZE * rows))));
}

async function isRare(
  trx: Transaction<DB>,
  table: SearchedTable,
  q: RawBuilder<unknown>,
  rareBelow: number | undefined,
): Promise<boolean> {
  const threshold = rareBelow ?? (await rareThreshold(trx, table));
  if ((await estimatedMatches(trx, table, q)) >= 4 * threshold) return false;
  const result = await sql<{ matches: number }>`select count(*)::int as matches from
    (select 1 from ${sql.table(table)} where search @@ ${q} limit ${threshold}) found`.execute(trx);
  return (result.rows[0]?.matches ?? threshold) < threshold;
}

/** Which of the tables searched the words are rare in. */
async function rareTables(
  trx: Transaction<DB>,
  q: RawBuilder<unknown>,
  tables: SearchedTable[],
  rareBelow: number | undefined,
): Promise<Set<SearchedTable>> {
  const rare = new Set<SearchedTable>();
  for (const table of tables) if (await isRare(trx, table, q, rareBelow)) rare.add(table);
  return rare;
}

/** The columns every table's part of a page has. */
interface HitSource {
  kind: string;
  id: string;
  case_id: string | null;
  at: Date;
  number: string | null;
  title: string | null;
  document: string;
}

/**
 * A page of one table's hits, newest first. For a rare word, `offset 0` keeps the ordering out of
 * the inner query, so it is planned as "find every match" (the GIN index) and only then sorted.
 */
function newestFirst(
  query: SelectQueryBuilder<DB, SearchedTable, HitSource>,
  dateColumn: 'case_file.created_at' | 'case_note.created_at' | 'report.received_at',
  idColumn: 'case_file.id' | 'case_note.id' | 'report.id',
  rare: boolean,
): RawBuilder<unknown> {
  const limit = SEARCH_PAGE_SIZE + 1;
  if (rare) {
    return sql`(select * from (${query.offset(0)}) matches
      order by matches.at desc, matches.id desc limit ${limit})`;
  }
  return sql`(${query.orderBy(sql.ref(dateColumn), 'desc').orderBy(sql.ref(idColumn), 'desc').limit(limit)})`;
}

interface HitRow {
  kind: 'case' | 'note' | 'report';
  id: string;
  case_id: string | null;
  at: Date;
  at_micros: number;
  case_number: string | null;
  case_title: string | null;
  headline: string | null;
}

/**
 * One page of hits. Each kind is its own statement with its own ORDER BY … LIMIT, so each can walk
 * its own date index (or its GIN index, for rare words); the union of at most three pages is then
 * ordered once more, and headlines (the expensive part) are made for the page's rows only. Cases
 * and notes are limited to the cases the principal may open (cases/case-queries.visibleTo, from the
 * policy's caseVisibility), in SQL.
 */
/** The tables a search of this type reads, for this principal and these filters. */
function tablesFor(request: SearchRequest, principal: Principal): SearchedTable[] {
  const { type, filters } = request;
  const tables: SearchedTable[] = [];
  if (type === 'alles' || type === 'casussen') tables.push('case_file');
  if (type === 'alles' || type === 'notities') tables.push('case_note');
  const reportsAllowed = can(principal.role, 'reports.read') && !hasCaseOnlyFilter(filters);
  if ((type === 'alles' || type === 'meldingen') && reportsAllowed) tables.push('report');
  return tables;
}

function pageQuery(
  db: Database | Transaction<DB>,
  q: RawBuilder<unknown>,
  request: SearchRequest,
  tables: SearchedTable[],
  rare: Set<SearchedTable>,
  principal: Principal,
) {
  const { filters, cursor } = request;
  const limit = SEARCH_PAGE_SIZE + 1;
  const parts: RawBuilder<unknown>[] = [];
  const words = (table: SearchedTable) => sql<SqlBool>`${sql.ref(`${table}.search`)} @@ ${q}`;
  if (tables.includes('case_file')) {
    const cases = db
      .selectFrom('case_file')
      .select([
        sql<string>`'case'`.as('kind'),
        'case_file.id',
        'case_file.id as case_id',
        'case_file.created_at as at',
        'case_file.number',
        'case_file.title',
        'case_file.summary as document',
      ])
      .where(words('case_file'))
      .where(visibleTo(principal))
      .where(caseFilters(filters))
      .where(pageConditions(sql`case_file.created_at`, sql`case_file.id`, filters, cursor));
    parts.push(newestFirst(cases, 'case_file.created_at', 'case_file.id', rare.has('case_file')));
  }
  if (tables.includes('case_note')) {
    const notes = db
      .selectFrom('case_note')
      .innerJoin('case_file', 'case_file.id', 'case_note.case_id')
      .select([
        sql<string>`'note'`.as('kind'),
        'case_note.id',
        'case_note.case_id',
        'case_note.created_at as at',
        'case_file.number',
        'case_file.title',
        'case_note.body as document',
      ])
      .where(words('case_note'))
      .where((eb) => visibleTo(principal)(eb as unknown as CaseColumns))
      .where((eb) => caseFilters(filters)(eb as unknown as CaseColumns))
      .where(pageConditions(sql`case_note.created_at`, sql`case_note.id`, filters, cursor));
    parts.push(newestFirst(notes, 'case_note.created_at', 'case_note.id', rare.has('case_note')));
  }
  if (tables.includes('report')) {
    let reports = db
      .selectFrom('report')
      .select([
        sql<string>`'report'`.as('kind'),
        'report.id',
        sql<string | null>`null::uuid`.as('case_id'),
        'report.received_at as at',
        sql<string | null>`null::text`.as('number'),
        sql<string | null>`null::text`.as('title'),
        'report.narrative as document',
      ])
      .where(words('report'))
      .where(pageConditions(sql`report.received_at`, sql`report.id`, filters, cursor));
    if (filters.municipality) reports = reports.where('report.municipality', '=', filters.municipality);
    if (filters.form) reports = reports.where(sql<SqlBool>`${filters.form} = any(report.exploitation_forms)`);
    parts.push(newestFirst(reports, 'report.received_at', 'report.id', rare.has('report')));
  }
  if (parts.length === 0) return undefined;
  // The markers must not occur in the document itself, or stored text could fake a highlight.
  const document = sql`translate(page.document, ${MARK_START + MARK_STOP}, '  ')`;
  return sql<HitRow>`
    select page.kind, page.id, page.case_id, page.at, ${asMicros(sql`page.at`)} as at_micros,
      page.number as case_number, page.title as case_title,
      case when page.document = '' then null
        else ts_headline('dutch', ${document}, ${q}, ${HEADLINE_OPTIONS}) end as headline
    from (
      select * from (${sql.join(parts, sql` union all `)}) hits
      order by hits.at desc, hits.id desc limit ${limit}
    ) page
    order by page.at desc, page.id desc`;
}

function toHit(row: HitRow): SearchHit {
  const headline = headlineParts(row.headline);
  const at = new Date(row.at);
  if (row.kind === 'report') return { kind: 'report', id: row.id, at, headline };
  const caseFacts = { caseNumber: row.case_number ?? '', caseTitle: row.case_title ?? '' };
  if (row.kind === 'note')
    return { kind: 'note', id: row.id, at, caseId: row.case_id ?? '', ...caseFacts, headline };
  return { kind: 'case', id: row.id, at, ...caseFacts, headline };
}

/** The facts of a search the audit log keeps: the kind and the filters, never the words searched for. */
function auditDetails(request: SearchRequest): Record<string, string | boolean> {
  const details: Record<string, string | boolean> = {
    type: request.type,
    later_page: request.cursor !== undefined,
  };
  for (const [name, value] of Object.entries(request.filters)) {
    if (typeof value === 'string') details[name] = value;
  }
  return details;
}

/**
 * Runs a search for a principal and records 'search.performed' in the same transaction. Hits are
 * limited in SQL to the cases the principal may open (and their notes) and, with reports.read, reports.
 */
export async function search(
  db: Database,
  principal: StaffPrincipal,
  request: SearchRequest,
  requestId: string,
  /** Tests set this to take one path or the other with a small data set (0: always walk the dates). */
  options: { rareBelow?: number } = {},
): Promise<SearchOutcome> {
  if (request.cursor && !isUuid(request.cursor.id)) return { status: 'done', hits: [] };
  return db.transaction().execute(async (trx) => {
    const tsquery = await compileQuery(trx, request.text);
    let rows: HitRow[] = [];
    if (tsquery) {
      // A page needs a few hundred rows at most; starting parallel workers costs more than that
      // (seen: 37 ms of work taking 220 ms behind a Gather on a busy two-core server).
      await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
      const q = sql`${tsquery}::tsquery`;
      const tables = tablesFor(request, principal);
      const query = pageQuery(
        trx,
        q,
        request,
        tables,
        await rareTables(trx, q, tables, options.rareBelow),
        principal,
      );
      if (query) rows = (await query.execute(trx)).rows;
    }
    await recordAudit(trx, {
      actor: { userId: principal.userId, role: principal.role },
      action: 'search.performed',
      requestId,
      details: auditDetails(request),
    });
    if (!tsquery) return { status: 'no_terms' };
    const hits = rows.slice(0, SEARCH_PAGE_SIZE).map(toHit);
    const last = rows[SEARCH_PAGE_SIZE - 1];
    if (rows.length <= SEARCH_PAGE_SIZE || !last) return { status: 'done', hits };
    return { status: 'done', hits, next: { atMicros: last.at_micros, id: last.id } };
  });
}

export const isSearchType = (value: unknown): value is SearchType =>
  typeof value === 'string' && (searchTypes as readonly string[]).includes(value);
export const isCaseStatus = (value: unknown): value is CaseStatus =>
  typeof value === 'string' && (caseStatuses as readonly string[]).includes(value);
export const isUrgency = (value: unknown): value is Urgency =>
  typeof value === 'string' && (urgencies as readonly string[]).includes(value);
export const isCaseExploitationForm = (value: unknown): value is CaseExploitationForm =>
  typeof value === 'string' && (caseExploitationForms as readonly string[]).includes(value);
