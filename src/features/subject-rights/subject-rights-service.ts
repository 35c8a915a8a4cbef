import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { CaseStatus, DB } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';
import { loadDataKey, openText, sealText, type DataKey, type KeyRing } from '../../crypto/envelope.ts';
import { caseAuditEvent, recordAudit } from '../audit/audit-service.ts';
import type { CaseWork } from '../case-sections/case-section.ts';
import { personAad, personOf, type Person } from '../persons/person-service.ts';
import { mentions, namePattern, replaceMentions } from '../persons/name-match.ts';

/**
 * Data subject rights for one person in a case (GDPR/AVG articles 15 and 17): everything held about
 * them gathered for an export, and their erasure from the case. Each is one transaction with its
 * audit row; the audit never holds the person's name, only their row id and counts.
 *
 * What is "about them": their own record; the case facts; timeline events naming their id;
 * indicator assessments when they are the presumed victim (the checklist is about the victim); and
 * free-text passages that contain their name or alias. A name match is a hint, not proof (two people
 * may share a first name), so the export marks such passages "may concern".
 */

export type PassageSource =
  | 'case_title'
  | 'case_summary'
  | 'closure_note'
  | 'note'
  | 'task'
  | 'indicator_remark'
  | 'access_reason'
  | 'report_narrative'
  | 'report_message'
  /** A free-text note or reason kept in a timeline event (a status change, a legal hold). */
  | 'event_note'
  /** The (encrypted) contact details of someone else in the case ("reachable through her sister"). */
  | 'person_contact';

export interface Passage {
  source: PassageSource;
  /** The row the text is in (the case's own id for case fields). */
  rowId: string;
  at: Date | null;
  text: string;
}

export interface SubjectCase {
  id: string;
  number: string;
  status: CaseStatus;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  exploitationForms: string[];
  municipality: string;
}

export interface SubjectEvent {
  kind: string;
  at: Date;
  details: Record<string, unknown>;
}

export interface SubjectIndicator {
  listVersion: string;
  code: string;
  labelNl: string;
  labelEn: string;
  present: boolean;
  remark: string | null;
  assessedAt: Date;
}

export interface SubjectData {
  caseFacts: SubjectCase;
  person: Person & { createdAt: Date; updatedAt: Date };
  events: SubjectEvent[];
  /** Empty unless the person is the presumed victim. */
  indicators: SubjectIndicator[];
  passages: Passage[];
  /** False when the name is missing or too short to look for in texts. */
  nameSearched: boolean;
  /**
   * 'withheld' for anyone but the presumed victim: passages that may identify the reporter or others
   * (THIRD_PARTY_SOURCES) are left out. 'warn' for the presumed victim: they are kept, to be read first.
   */
  thirdParty: { handling: 'withheld' | 'warn'; count: number };
}

/**
 * Where the words are the reporter's or about someone else: report narratives and messages, other
 * persons' contact details, break-the-glass reasons. A suspected perpetrator asking for access must
 * not be handed the reporter's words (AVG art. 15 lid 4, art. 23; UAVG art. 41).
 */
export const THIRD_PARTY_SOURCES: ReadonlySet<PassageSource> = new Set<PassageSource>([
  'report_narrative',
  'report_message',
  'person_contact',
  'access_reason',
]);

export type ExportFormat = 'html' | 'json';

async function caseRow(trx: Transaction<DB>, caseId: string) {
  return trx
    .selectFrom('case_file')
    .select([
      'id',
      'number',
      'status',
      'created_at',
      'updated_at',
      'closed_at',
      'exploitation_forms',
      'municipality',
      'data_key_id',
      'title',
      'summary',
      'closure_note',
    ])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
}

type CaseRow = Awaited<ReturnType<typeof caseRow>>;

async function personRow(trx: Transaction<DB>, caseId: string, personId: string, lock: boolean) {
  const query = trx
    .selectFrom('case_person')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('id', '=', personId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

/** Whether a value (a string, or anywhere inside an object or array) is or contains the id. */
function refersTo(value: unknown, id: string): boolean {
  if (typeof value === 'string') return value.toLowerCase().includes(id);
  if (Array.isArray(value)) return value.some((item) => refersTo(item, id));
  if (value && typeof value === 'object') return Object.values(value).some((item) => refersTo(item, id));
  return false;
}

/** The value without the id: keys holding only the id dropped, array items too, text stripped of it. */
function withoutId(value: unknown, id: string): unknown {
  if (typeof value === 'string') return value.replace(new RegExp(id, 'gi'), '');
  if (Array.isArray(value)) {
    return value
      .filter((item) => !(typeof item === 'string' && item.toLowerCase() === id))
      .map((item) => withoutId(item, id));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => !(typeof item === 'string' && item.toLowerCase() === id))
        .map(([key, item]) => [key, withoutId(item, id)]),
    );
  }
  return value;
}

/** A free text of the case; `field` names the key inside a timeline event's details. */
type CaseText = Passage & { language?: string; field?: string };

/** The keys of a timeline event's details that hold text someone typed. */
const EVENT_TEXT_FIELDS = ['note', 'reason'] as const;

async function caseEvents(trx: Transaction<DB>, caseId: string) {
  return trx
    .selectFrom('case_event')
    .select(['id', 'kind', 'at', 'details'])
    .where('case_id', '=', caseId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/**
 * Every free text of the case and its linked reports, with where it is, oldest first per kind; the
 * contact details of everyone in the case but `personId` decrypted among them.
 */
async function caseTexts(
  trx: Transaction<DB>,
  row: CaseRow,
  dataKey: DataKey,
  personId: string,
): Promise<CaseText[]> {
  const caseId = row.id;
  const texts: CaseText[] = [
    { source: 'case_title', rowId: caseId, at: row.created_at, text: row.title },
    { source: 'case_summary', rowId: caseId, at: row.updated_at, text: row.summary },
  ];
  if (row.closure_note) {
    texts.push({ source: 'closure_note', rowId: caseId, at: row.closed_at, text: row.closure_note });
  }
  // One query after the other: a transaction is one connection.
  const notes = await trx
    .selectFrom('case_note')
    .select(['id', 'body', 'created_at'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const n of notes) texts.push({ source: 'note', rowId: n.id, at: n.created_at, text: n.body });
  const tasks = await trx
    .selectFrom('case_task')
    .select(['id', 'title', 'created_at'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const task of tasks)
    texts.push({ source: 'task', rowId: task.id, at: task.created_at, text: task.title });
  const remarks = await trx
    .selectFrom('indicator_assessment')
    .select(['id', 'remark', 'assessed_at'])
    .where('case_id', '=', caseId)
    .where('remark', 'is not', null)
    .orderBy('assessed_at')
    .orderBy('id')
    .execute();
  for (const r of remarks) {
    texts.push({ source: 'indicator_remark', rowId: r.id, at: r.assessed_at, text: r.remark ?? '' });
  }
  const others = await trx
    .selectFrom('case_person')
    .select(['id', 'contact', 'updated_at'])
    .where('case_id', '=', caseId)
    .where('id', '<>', personId)
    .where('contact', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const o of others) {
    const contact = openText(dataKey, o.contact, personAad(o.id, 'contact'));
    if (contact) texts.push({ source: 'person_contact', rowId: o.id, at: o.updated_at, text: contact });
  }
  const grants = await trx
    .selectFrom('case_access_grant')
    .select(['id', 'reason', 'granted_at'])
    .where('case_id', '=', caseId)
    .orderBy('granted_at')
    .orderBy('id')
    .execute();
  for (const g of grants)
    texts.push({ source: 'access_reason', rowId: g.id, at: g.granted_at, text: g.reason });
  // Notes typed with a status change or a legal hold live in the event's details, not in a column.
  for (const event of await caseEvents(trx, caseId)) {
    for (const field of EVENT_TEXT_FIELDS) {
      const value = event.details[field];
      if (typeof value === 'string') {
        texts.push({ source: 'event_note', rowId: event.id, field, at: event.at, text: value });
      }
    }
  }
  const reports = await trx
    .selectFrom('case_report')
    .innerJoin('report', 'report.id', 'case_report.report_id')
    .select(['report.id', 'report.narrative', 'report.received_at', 'report.language'])
    .where('case_report.case_id', '=', caseId)
    .orderBy('report.received_at')
    .orderBy('report.id')
    .execute();
  for (const r of reports) {
    texts.push({
      source: 'report_narrative',
      rowId: r.id,
      at: r.received_at,
      text: r.narrative,
      language: r.language,
    });
  }
  if (reports.length > 0) {
    const messages = await trx
      .selectFrom('report_message')
      .innerJoin('report', 'report.id', 'report_message.report_id')
      .select(['report_message.id', 'report_message.body', 'report_message.created_at', 'report.language'])
      .where(
        'report_message.report_id',
        'in',
        reports.map((r) => r.id),
      )
      .orderBy('report_message.created_at')
      .orderBy('report_message.id')
      .execute();
    for (const m of messages) {
      texts.push({
        source: 'report_message',
        rowId: m.id,
        at: m.created_at,
        text: m.body,
        language: m.language,
      });
    }
  }
  return texts;
}

const auditOf = (work: CaseWork, caseId: string, action: string, details: Record<string, string | number>) =>
  caseAuditEvent(work.actor, work.requestId, caseId, action, details);

/**
 * Everything held about one person in the case, decrypted; undefined (and nothing audited) when the
 * person is not in this case. Audited as 'person.export' with the format, never with the name.
 */
export async function collectSubjectData(
  db: Database,
  keyRing: KeyRing,
  caseId: string,
  personId: string,
  format: ExportFormat,
  work: CaseWork,
): Promise<SubjectData | undefined> {
  if (!isUuid(personId)) return undefined;
  return db.transaction().execute(async (trx) => {
    const row = await caseRow(trx, caseId);
    const stored = await personRow(trx, caseId, personId, false);
    if (!stored) return undefined;
    const dataKey: DataKey = await loadDataKey(trx, keyRing, row.data_key_id);
    const person = {
      ...personOf(stored, dataKey),
      createdAt: stored.created_at,
      updatedAt: stored.updated_at,
    };
    const id = personId.toLowerCase();
    const events = (await caseEvents(trx, caseId))
      .filter((event) => refersTo(event.details, id))
      .map((event): SubjectEvent => ({ kind: event.kind, at: event.at, details: event.details }));
    const indicators =
      person.role === 'presumed_victim'
        ? (
            await trx
              .selectFrom('indicator_assessment')
              .innerJoin('indicator_definition', (join) =>
                join
                  .onRef('indicator_definition.list_version', '=', 'indicator_assessment.list_version')
                  .onRef('indicator_definition.code', '=', 'indicator_assessment.code'),
              )
              .select([
                'indicator_assessment.list_version',
                'indicator_assessment.code',
                'indicator_definition.label_nl',
                'indicator_definition.label_en',
                'indicator_assessment.present',
                'indicator_assessment.remark',
                'indicator_assessment.assessed_at',
              ])
              .where('indicator_assessment.case_id', '=', caseId)
              .orderBy('indicator_assessment.assessed_at')
              .orderBy('indicator_assessment.id')
              .execute()
          ).map((a): SubjectIndicator => ({
            listVersion: a.list_version,
            code: a.code,
            labelNl: a.label_nl,
            labelEn: a.label_en,
            present: a.present,
            remark: a.remark,
            assessedAt: a.assessed_at,
          }))
        : [];
    const pattern = namePattern(person.name);
    const found = (await caseTexts(trx, row, dataKey, id))
      .filter((text) => mentions(text.text, pattern))
      .map(({ source, rowId, at, text }): Passage => ({ source, rowId, at, text }));
    // Only the presumed victim gets the reporter's words; for anyone else they are withheld by default.
    const handling = person.role === 'presumed_victim' ? 'warn' : 'withheld';
    const thirdPartyCount = found.filter((p) => THIRD_PARTY_SOURCES.has(p.source)).length;
    const passages =
      handling === 'withheld' ? found.filter((p) => !THIRD_PARTY_SOURCES.has(p.source)) : found;
    await recordAudit(
      trx,
      auditOf(work, caseId, 'person.export', {
        person: id,
        format,
        // The count (never the texts) of what was held back, so a review can see the restriction applied.
        ...(handling === 'withheld' ? { withheld: thirdPartyCount } : {}),
      }),
    );
    return {
      caseFacts: {
        id: row.id,
        number: row.number,
        status: row.status,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        closedAt: row.closed_at,
        exploitationForms: row.exploitation_forms,
        municipality: row.municipality,
      },
      person,
      events,
      indicators,
      passages,
      nameSearched: pattern !== undefined,
      thirdParty: { handling, count: thirdPartyCount },
    };
  });
}

/** The neutral text that takes a name's place, per language of the text it stands in. */
export type Placeholders = Record<'nl' | 'en', string>;

export type EraseOutcome =
  | { outcome: 'erased'; passages: number; events: number }
  | { outcome: 'missing' }
  /** The stated reason contains the name; the audit log is append-only, so nothing was changed. */
  | { outcome: 'name_in_reason' };

type TextUpdate = (
  trx: Transaction<DB>,
  rowId: string,
  text: string,
  dataKey: DataKey,
  field?: string,
) => Promise<unknown>;

/** How each kind of passage is written back. */
const writers: Record<PassageSource, TextUpdate> = {
  case_title: (trx, id, text) =>
    trx.updateTable('case_file').set({ title: text }).where('id', '=', id).execute(),
  case_summary: (trx, id, text) =>
    trx.updateTable('case_file').set({ summary: text }).where('id', '=', id).execute(),
  closure_note: (trx, id, text) =>
    trx.updateTable('case_file').set({ closure_note: text }).where('id', '=', id).execute(),
  note: (trx, id, text) => trx.updateTable('case_note').set({ body: text }).where('id', '=', id).execute(),
  task: (trx, id, text) => trx.updateTable('case_task').set({ title: text }).where('id', '=', id).execute(),
  indicator_remark: (trx, id, text) =>
    trx.updateTable('indicator_assessment').set({ remark: text }).where('id', '=', id).execute(),
  access_reason: (trx, id, text) =>
    trx.updateTable('case_access_grant').set({ reason: text }).where('id', '=', id).execute(),
  report_narrative: (trx, id, text) =>
    trx.updateTable('report').set({ narrative: text }).where('id', '=', id).execute(),
  report_message: (trx, id, text) =>
    trx.updateTable('report_message').set({ body: text }).where('id', '=', id).execute(),
  event_note: (trx, id, text, _dataKey, field) =>
    sql`update case_event set details = jsonb_set(details, array[${field ?? 'note'}]::text[], to_jsonb(${text}::text))
      where id = ${id}`.execute(trx),
  // A new version, so that an edit form opened before the erasure cannot save the name back.
  person_contact: (trx, id, text, dataKey) =>
    trx
      .updateTable('case_person')
      .set({
        contact: sealText(dataKey, text, personAad(id, 'contact')),
        version: sql<number>`version + 1`,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute(),
};

/**
 * Erases one person from the case, in one transaction: their record is deleted; their name is
 * replaced by a neutral placeholder in every free text of the case and its linked reports (in the
 * text's own language); their id is taken out of timeline events; a 'person_erased' event and a
 * 'person.erase' audit row with the reason are written. The person's row is locked first, so two
 * erasures of the same person cannot both run.
 */
export async function erasePerson(
  db: Database,
  keyRing: KeyRing,
  caseId: string,
  change: { personId: string; reason: string; placeholders: Placeholders },
  work: CaseWork,
): Promise<EraseOutcome> {
  if (!isUuid(change.personId)) return { outcome: 'missing' };
  const id = change.personId.toLowerCase();
  return db.transaction().execute(async (trx): Promise<EraseOutcome> => {
    const row = await caseRow(trx, caseId);
    const stored = await personRow(trx, caseId, id, true);
    if (!stored) return { outcome: 'missing' };
    const dataKey = await loadDataKey(trx, keyRing, row.data_key_id);
    const pattern = namePattern(personOf(stored, dataKey).name);
    if (mentions(change.reason, pattern)) return { outcome: 'name_in_reason' };

    let passages = 0;
    if (pattern) {
      for (const text of await caseTexts(trx, row, dataKey, id)) {
        const placeholder = change.placeholders[text.language === 'en' ? 'en' : 'nl'];
        const replaced = replaceMentions(text.text, pattern, placeholder);
        if (replaced.count === 0) continue;
        passages += 1;
        await writers[text.source](trx, text.rowId, replaced.text, dataKey, text.field);
      }
    }
    let events = 0;
    for (const event of await caseEvents(trx, caseId)) {
      if (!refersTo(event.details, id)) continue;
      events += 1;
      await sql`update case_event set details = ${JSON.stringify(withoutId(event.details, id))}::jsonb
        where id = ${event.id}`.execute(trx);
    }
    await trx.deleteFrom('case_person').where('id', '=', id).where('case_id', '=', caseId).execute();
    await trx
      .insertInto('case_event')
      .values({
        id: randomUUID(),
        case_id: caseId,
        kind: 'person_erased',
        actor_user_id: work.principal.userId,
        details: JSON.stringify({ role: stored.role, passages }),
      })
      .execute();
    await trx
      .updateTable('case_file')
      .set({ updated_at: new Date(), version: sql<number>`version + 1` })
      .where('id', '=', caseId)
      .execute();
    await recordAudit(trx, {
      ...auditOf(work, caseId, 'person.erase', { person: id, passages, events }),
      reason: change.reason,
    });
    return { outcome: 'erased', passages, events };
  });
}
