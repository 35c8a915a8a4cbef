import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { isUuid } from '../../db/ids.ts';
import { loadDataKey, openText, sealText, type DataKey, type KeyRing } from '../../crypto/envelope.ts';
import { caseAuditEvent, recordAudit } from '../audit/audit-service.ts';
import { readCaseFacts, type CaseFacts, type CaseWork } from '../case-sections/case-section.ts';
import type { PersonInput } from './person-form.ts';
import { mentions, namePattern } from './name-match.ts';

/**
 * Persons in a case. Name (or alias) and contact details are direct identifiers: encrypted under the
 * case's data key, with an AAD binding each value to its row and column. Every read of them and every
 * change is in the audit log, in the same transaction.
 */

export interface Person extends PersonInput {
  id: string;
  version: number;
}

type PersonRow = Awaited<ReturnType<typeof selectPersons>>[number];

/** The AAD of a person's encrypted column: binds the ciphertext to its row and column. */
export const personAad = (personId: string, column: 'name' | 'contact') =>
  `case_person:${personId}:${column}`;

function selectPersons(trx: Transaction<DB>, caseId: string) {
  return trx
    .selectFrom('case_person')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** A stored row decrypted (see personAad). */
export function personOf(row: PersonRow, dataKey: DataKey): Person {
  return {
    id: row.id,
    version: row.version,
    role: row.role,
    name: openText(dataKey, row.name, personAad(row.id, 'name')),
    contact: openText(dataKey, row.contact, personAad(row.id, 'contact')),
    age: row.age,
    ageBand: row.age_band,
    ageAtExploitationStart: row.age_at_exploitation_start,
    sex: row.sex,
    nationality: row.nationality,
    languages: row.languages,
    traffickingStatus: row.trafficking_status,
    decisionOrganisation: row.decision_organisation,
    relationshipToPerpetrator: row.relationship_to_perpetrator,
  };
}

function columnsOf(person: PersonInput, personId: string, dataKey: DataKey) {
  return {
    role: person.role,
    name: sealText(dataKey, person.name, personAad(personId, 'name')),
    contact: sealText(dataKey, person.contact, personAad(personId, 'contact')),
    age: person.age,
    age_band: person.ageBand,
    age_at_exploitation_start: person.ageAtExploitationStart,
    sex: person.sex,
    nationality: person.nationality,
    languages: person.languages,
    trafficking_status: person.traffickingStatus,
    decision_organisation: person.decisionOrganisation,
    relationship_to_perpetrator: person.relationshipToPerpetrator,
  };
}

async function caseKey(trx: Transaction<DB>, keyRing: KeyRing, caseId: string) {
  const caseFacts = await readCaseFacts(trx, caseId);
  return { caseFacts, dataKey: await loadDataKey(trx, keyRing, caseFacts.dataKeyId) };
}

const auditOf = (work: CaseWork, caseId: string, action: string, personId?: string) =>
  caseAuditEvent(work.actor, work.requestId, caseId, action, personId ? { person: personId } : undefined);

/** Every person in the case, decrypted; audited as 'case.persons_read'. */
export async function listPersons(
  db: Database,
  keyRing: KeyRing,
  caseId: string,
  work: CaseWork,
): Promise<{ caseFacts: CaseFacts; persons: Person[] }> {
  return db.transaction().execute(async (trx) => {
    const { caseFacts, dataKey } = await caseKey(trx, keyRing, caseId);
    const persons = (await selectPersons(trx, caseId)).map((row) => personOf(row, dataKey));
    await recordAudit(trx, auditOf(work, caseId, 'case.persons_read'));
    return { caseFacts, persons };
  });
}

async function readOne(trx: Transaction<DB>, dataKey: DataKey, caseId: string, personId: string) {
  if (!isUuid(personId)) return undefined;
  const row = await trx
    .selectFrom('case_person')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('id', '=', personId)
    .executeTakeFirst();
  return row ? personOf(row, dataKey) : undefined;
}

/** One person of the case, decrypted (undefined when not in this case); audited when found. */
export async function readPerson(
  db: Database,
  keyRing: KeyRing,
  caseId: string,
  personId: string,
  work: CaseWork,
): Promise<{ caseFacts: CaseFacts; person: Person | undefined }> {
  return db.transaction().execute(async (trx) => {
    const { caseFacts, dataKey } = await caseKey(trx, keyRing, caseId);
    const person = await readOne(trx, dataKey, caseId, personId);
    if (person) await recordAudit(trx, auditOf(work, caseId, 'case.persons_read', personId));
    return { caseFacts, person };
  });
}

/** The case's number and forms, for pages that show no person data (forms, confirmations). */
export async function caseFactsOf(db: Database, caseId: string): Promise<CaseFacts> {
  return db.transaction().execute((trx) => readCaseFacts(trx, caseId));
}

export async function addPerson(
  db: Database,
  keyRing: KeyRing,
  caseId: string,
  person: PersonInput,
  work: CaseWork,
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const { dataKey } = await caseKey(trx, keyRing, caseId);
    const id = randomUUID();
    await trx
      .insertInto('case_person')
      .values({ id, case_id: caseId, created_by: work.principal.userId, ...columnsOf(person, id, dataKey) })
      .execute();
    await recordAudit(trx, auditOf(work, caseId, 'case.person_added', id));
    return id;
  });
}

export type UpdateOutcome =
  | { outcome: 'updated' }
  | { outcome: 'missing' }
  /** Someone saved this person since the form was opened; `current` is what is stored now. */
  | { outcome: 'conflict'; current: Person };

/**
 * Saves a person if nobody else has since the form was opened (its version). On a conflict nothing is
 * written and the stored version is returned (that read is audited) so the page can show both.
 */
export async function updatePerson(
  db: Database,
  keyRing: KeyRing,
  caseId: string,
  change: { personId: string; version: number; person: PersonInput },
  work: CaseWork,
): Promise<UpdateOutcome> {
  if (!isUuid(change.personId)) return { outcome: 'missing' };
  return db.transaction().execute(async (trx): Promise<UpdateOutcome> => {
    const { dataKey } = await caseKey(trx, keyRing, caseId);
    const updated = await trx
      .updateTable('case_person')
      .set({
        ...columnsOf(change.person, change.personId, dataKey),
        version: sql<number>`version + 1`,
        updated_at: new Date(),
      })
      .where('id', '=', change.personId)
      .where('case_id', '=', caseId)
      .where('version', '=', change.version)
      .returning('id')
      .executeTakeFirst();
    if (updated) {
      await recordAudit(trx, auditOf(work, caseId, 'case.person_updated', change.personId));
      return { outcome: 'updated' };
    }
    const current = await readOne(trx, dataKey, caseId, change.personId);
    if (!current) return { outcome: 'missing' };
    await recordAudit(trx, auditOf(work, caseId, 'case.persons_read', change.personId));
    return { outcome: 'conflict', current };
  });
}

/** Removes a person from the case; false when there was no such person in it. */
export async function removePerson(
  db: Database,
  caseId: string,
  personId: string,
  work: CaseWork,
): Promise<boolean> {
  if (!isUuid(personId)) return false;
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('case_person')
      .where('id', '=', personId)
      .where('case_id', '=', caseId)
      .returning('id')
      .executeTakeFirst();
    if (!removed) return false;
    await recordAudit(trx, auditOf(work, caseId, 'case.person_removed', personId));
    return true;
  });
}

/**
 * Whether the text names anyone in the case: their decrypted name or alias, found as name-match finds
 * it. For reasons kept in the append-only audit log (legal holds, break-the-glass), where a name
 * would outlive the person's erasure and the case itself. Reads names only to compare them; nothing
 * is shown, so no audit row of its own (the caller's action is audited).
 */
export async function namesPersonInCase(
  trx: Transaction<DB>,
  keyRing: KeyRing,
  caseId: string,
  text: string,
): Promise<boolean> {
  const rows = await selectPersons(trx, caseId);
  if (rows.length === 0) return false;
  const { dataKey } = await caseKey(trx, keyRing, caseId);
  return rows.some((row) => mentions(text, namePattern(personOf(row, dataKey).name)));
}
