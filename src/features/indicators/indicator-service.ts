import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { caseAuditEvent, recordAudit } from '../audit/audit-service.ts';
import { readCaseFacts, type CaseFacts, type CaseWork } from '../case-sections/case-section.ts';
import { compareListVersions, indicatorForms, type IndicatorForm } from './indicator-lists.ts';

/**
 * The indicator checklist of a case. Every tick, untick and change of remark is a row (who, when);
 * the latest row per code is what the checklist shows. Indicators are evidence for a professional to
 * weigh: nothing here scores or concludes, the page only counts what was ticked per form.
 */

export const REMARK_MAX_CHARS = 1000;

/** What one indicator says for a case: seen or not, and the professional's remark. */
export interface IndicatorState {
  present: boolean;
  remark: string | null;
}

export const NOT_ASSESSED: IndicatorState = { present: false, remark: null };

export interface Assessment extends IndicatorState {
  id: string;
  listVersion: string;
  code: string;
  assessedByName: string | null;
  assessedAt: Date;
}

export interface ChecklistItem {
  listVersion: string;
  code: string;
  form: IndicatorForm;
  labelNl: string;
  labelEn: string;
  /** The latest assessment; absent while nobody has assessed the indicator. */
  current: Assessment | undefined;
  /** Every assessment, oldest first. */
  history: Assessment[];
}

export interface IndicatorChecklist {
  caseFacts: CaseFacts;
  /** The list version new assessments are made against: the newest one. */
  listVersion: string;
  items: ChecklistItem[];
  /** Indicators of older list versions that were assessed for this case, with their own labels. */
  earlier: ChecklistItem[];
}

const stateOf = (assessment: Assessment | undefined): IndicatorState =>
  assessment ? { present: assessment.present, remark: assessment.remark } : NOT_ASSESSED;

const sameState = (a: IndicatorState, b: IndicatorState) =>
  a.present === b.present && (a.remark ?? null) === (b.remark ?? null);

/**
 * Which indicators a saved checklist changes. `submitted` is the whole form; `shown` is what the form
 * showed when it was opened and `stored` what is stored now. An indicator is written when the person
 * changed it (submitted differs from shown) and the result is not what is stored already, so saving
 * an unchanged form writes nothing and a form opened before someone else's save does not undo theirs.
 * Codes missing from `shown` (a form without its baseline) compare with what is stored.
 */
export function changedIndicators(
  codes: readonly string[],
  submitted: ReadonlyMap<string, IndicatorState>,
  shown: ReadonlyMap<string, IndicatorState>,
  stored: ReadonlyMap<string, IndicatorState>,
): { code: string; state: IndicatorState }[] {
  const changes: { code: string; state: IndicatorState }[] = [];
  for (const code of codes) {
    const state = submitted.get(code) ?? NOT_ASSESSED;
    const now = stored.get(code) ?? NOT_ASSESSED;
    const before = shown.get(code) ?? now;
    if (!sameState(state, before) && !sameState(state, now)) changes.push({ code, state });
  }
  return changes;
}

type Reader = Transaction<DB>;

async function readAssessments(trx: Reader, caseId: string): Promise<Assessment[]> {
  const rows = await trx
    .selectFrom('indicator_assessment')
    .leftJoin('staff_user', 'staff_user.id', 'indicator_assessment.assessed_by')
    .select([
      'indicator_assessment.id',
      'indicator_assessment.list_version',
      'indicator_assessment.code',
      'indicator_assessment.present',
      'indicator_assessment.remark',
      'indicator_assessment.assessed_at',
      'staff_user.display_name',
    ])
    .where('indicator_assessment.case_id', '=', caseId)
    .orderBy('indicator_assessment.assessed_at')
    .orderBy('indicator_assessment.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    listVersion: row.list_version,
    code: row.code,
    present: row.present,
    remark: row.remark,
    assessedByName: row.display_name,
    assessedAt: row.assessed_at,
  }));
}

const isIndicatorForm = (form: string): form is IndicatorForm =>
  (indicatorForms as readonly string[]).includes(form);

async function readDefinitions(trx: Database) {
  const rows = await trx.selectFrom('indicator_definition').selectAll().execute();
  const versions = [...new Set(rows.map((r) => r.list_version))].sort(compareListVersions);
  const newest = versions.at(-1);
  if (newest === undefined) throw new Error('No indicator list in the database (see config/indicators)');
  const formOrder = (form: string) => indicatorForms.indexOf(form as IndicatorForm);
  const definitions = rows
    .filter((row) => isIndicatorForm(row.form))
    .sort((a, b) => formOrder(a.form) - formOrder(b.form) || a.position - b.position);
  return { newest, definitions };
}

/** The codes of the newest list version, in the order the checklist shows them. */
export async function newestListCodes(db: Database): Promise<string[]> {
  const { newest, definitions } = await readDefinitions(db);
  return definitions.filter((d) => d.list_version === newest).map((d) => d.code);
}

async function buildChecklist(trx: Reader, caseId: string): Promise<IndicatorChecklist> {
  const caseFacts = await readCaseFacts(trx, caseId);
  const { newest, definitions } = await readDefinitions(trx);
  const assessments = await readAssessments(trx, caseId);
  const itemOf = (definition: (typeof definitions)[number]): ChecklistItem => {
    const history = assessments.filter(
      (a) => a.listVersion === definition.list_version && a.code === definition.code,
    );
    return {
      listVersion: definition.list_version,
      code: definition.code,
      form: definition.form as IndicatorForm,
      labelNl: definition.label_nl,
      labelEn: definition.label_en,
      current: history.at(-1),
      history,
    };
  };
  return {
    caseFacts,
    listVersion: newest,
    items: definitions.filter((d) => d.list_version === newest).map(itemOf),
    earlier: definitions
      .filter((d) => d.list_version !== newest)
      .map(itemOf)
      .filter((item) => item.history.length > 0),
  };
}

/** The checklist with who ticked what and when; the read is in the audit log. */
export async function readChecklist(
  db: Database,
  caseId: string,
  work: CaseWork,
): Promise<IndicatorChecklist> {
  return db.transaction().execute(async (trx) => {
    const checklist = await buildChecklist(trx, caseId);
    await recordAudit(trx, caseAuditEvent(work.actor, work.requestId, caseId, 'case.indicators_read'));
    return checklist;
  });
}

/**
 * Saves a whole checklist form: one new assessment row per changed indicator (see changedIndicators)
 * and one audit row, in one transaction. Returns how many indicators changed.
 */
export async function saveChecklist(
  db: Database,
  caseId: string,
  form: { submitted: Map<string, IndicatorState>; shown: Map<string, IndicatorState> },
  work: CaseWork,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { newest, definitions } = await readDefinitions(trx);
    const codes = definitions.filter((d) => d.list_version === newest).map((d) => d.code);
    const stored = new Map<string, IndicatorState>();
    for (const assessment of await readAssessments(trx, caseId)) {
      if (assessment.listVersion === newest) stored.set(assessment.code, stateOf(assessment));
    }
    const changes = changedIndicators(codes, form.submitted, form.shown, stored);
    if (changes.length === 0) return 0;
    await trx
      .insertInto('indicator_assessment')
      .values(
        changes.map(({ code, state }) => ({
          id: randomUUID(),
          case_id: caseId,
          list_version: newest,
          code,
          present: state.present,
          remark: state.remark,
          assessed_by: work.principal.userId,
        })),
      )
      .execute();
    await recordAudit(
      trx,
      caseAuditEvent(work.actor, work.requestId, caseId, 'case.indicator_assessed', {
        list_version: newest,
        changed: changes.length,
      }),
    );
    return changes.length;
  });
}
