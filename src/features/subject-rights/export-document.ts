import type { PageContext } from '../../web/page-context.ts';
import { UNKNOWN_NATIONALITY, countryName } from '../persons/nationalities.ts';
import { municipalityName } from '../inbox/views.tsx';
import { CENTRE_TIME_ZONE, calendarDateIn } from '../tasks/task-dates.ts';
import { THIRD_PARTY_SOURCES, type PassageSource, type SubjectData } from './subject-rights-service.ts';

/**
 * The export of what is held about one person, labelled in the reader's language. The readable page
 * and the JSON download are both made from this one document, so they always say the same. Codes
 * stay beside their labels (a machine can read the JSON; a person reads the labels).
 */

export const EXPORT_FORMAT = 'baken.subject-access-export';
export const EXPORT_VERSION = 1;

interface Coded {
  code: string;
  label: string;
}

export interface ExportField {
  field: string;
  label: string;
  /** As stored (numbers and codes as such), null when not filled in. */
  value: string | number | string[] | null;
  /** As a person reads it. */
  text: string;
}

export interface ExportPassage {
  source: PassageSource;
  sourceLabel: string;
  at: string | null;
  text: string;
  mayConcern: true;
}

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  language: string;
  generatedAt: string;
  controller: { name: string; parent: string; region: string; email: string; phone: string; address: string };
  processing: {
    purposes: string[];
    legalBasis: string;
    retention: string;
    recipients: string;
    rights: string;
  };
  case: {
    number: string;
    status: Coded;
    createdAt: string;
    updatedAt: string;
    closedAt: string | null;
    exploitationForms: Coded[];
    municipality: Coded;
  };
  person: { id: string; createdAt: string; updatedAt: string; fields: ExportField[] };
  events: { kind: string; label: string; at: string; details: Record<string, unknown> }[];
  indicators: {
    listVersion: string;
    code: string;
    label: string;
    present: boolean;
    remark: string | null;
    assessedAt: string;
  }[];
  passages: ExportPassage[];
  /** What the reader should know about the passages (how they were found, their limits). */
  passagesNote: string;
  /**
   * Passages that may identify the reporter or others (report narratives, reporter messages, other
   * persons' contact details, access reasons). 'withheld' for anyone but the presumed victim, on the
   * ground of AVG art. 15 lid 4 / art. 23 and UAVG art. 41; 'included' for the presumed victim, with a
   * warning to read them before handing the export over.
   */
  thirdParty: {
    handling: 'withheld' | 'included';
    /** How many such passages are included (never said of withheld ones: see below). */
    count?: number;
    sources: PassageSource[];
    /** Why and on which legal ground ('withheld'), or the warning ('included'). */
    note: string;
  };
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function personFields(ctx: PageContext, person: SubjectData['person']): ExportField[] {
  const { t } = ctx;
  const notGiven = t('subject_rights.not_filled_in');
  const coded = (field: string, value: string | null, labelKey: (v: string) => string): ExportField => ({
    field,
    label: t(`persons.field.${field}`),
    value,
    text: value === null ? notGiven : t(labelKey(value)),
  });
  const plain = (field: string, value: string | null): ExportField => ({
    field,
    label: t(`persons.field.${field}`),
    value,
    text: value ?? notGiven,
  });
  const years = (field: string, value: number | null): ExportField => ({
    field,
    label: t(`persons.field.${field}`),
    value,
    text: value === null ? notGiven : t('persons.age_years', { age: value }),
  });
  const nationality = person.nationality;
  return [
    coded('role', person.role, (v) => `persons.role.${v}`),
    plain('name', person.name),
    plain('contact', person.contact),
    years('age', person.age),
    coded('age_band', person.ageBand, (v) => `persons.age_band.${v}`),
    coded('sex', person.sex, (v) => `persons.sex.${v}`),
    {
      field: 'nationality',
      label: t('persons.field.nationality'),
      value: nationality,
      text:
        nationality === null
          ? notGiven
          : nationality === UNKNOWN_NATIONALITY
            ? t('persons.nationality_unknown')
            : countryName(ctx.locale, nationality),
    },
    {
      field: 'languages',
      label: t('persons.field.languages'),
      value: person.languages,
      text: person.languages.length > 0 ? person.languages.join(', ') : notGiven,
    },
    years('age_at_exploitation_start', person.ageAtExploitationStart),
    coded('trafficking_status', person.traffickingStatus, (v) => `persons.status.${v}`),
    plain('decision_organisation', person.decisionOrganisation),
    coded(
      'relationship_to_perpetrator',
      person.relationshipToPerpetrator,
      (v) => `persons.relationship.${v}`,
    ),
  ];
}

/**
 * The document for `data`. `hasMessage` tells which timeline events the case page has a label for;
 * others are called by the generic label, their code kept beside it.
 */
export function buildExportDocument(
  ctx: PageContext,
  data: SubjectData,
  hasMessage: (key: string) => boolean,
  now = new Date(),
): ExportDocument {
  const { t, region } = ctx;
  const { caseFacts, person } = data;
  const address = region.contact.address;
  const eventLabel = (kind: string) =>
    hasMessage(`cases.timeline.${kind}`) ? t(`cases.timeline.${kind}`) : t('cases.timeline.other');
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    language: ctx.locale,
    generatedAt: now.toISOString(),
    controller: {
      name: region.organisation.name,
      parent: region.organisation.parent,
      region: region.name,
      email: region.contact.email,
      phone: region.contact.phone,
      address: `${address.street}, ${address.postcode} ${address.city}`,
    },
    processing: {
      purposes: [1, 2, 3].map((n) => t(`subject_rights.purpose.${n}`)),
      legalBasis: t('subject_rights.legal_basis'),
      retention: t('subject_rights.retention'),
      recipients: t('subject_rights.recipients'),
      rights: t('subject_rights.rights_text'),
    },
    case: {
      number: caseFacts.number,
      status: { code: caseFacts.status, label: t(`cases.status.${caseFacts.status}`) },
      createdAt: caseFacts.createdAt.toISOString(),
      updatedAt: caseFacts.updatedAt.toISOString(),
      closedAt: iso(caseFacts.closedAt),
      exploitationForms: caseFacts.exploitationForms.map((code) => ({
        code,
        label: t(`cases.form.${code}`),
      })),
      municipality: { code: caseFacts.municipality, label: municipalityName(ctx, caseFacts.municipality) },
    },
    person: {
      id: person.id,
      createdAt: person.createdAt.toISOString(),
      updatedAt: person.updatedAt.toISOString(),
      fields: personFields(ctx, person),
    },
    events: data.events.map((event) => ({
      kind: event.kind,
      label: eventLabel(event.kind),
      at: event.at.toISOString(),
      details: event.details,
    })),
    indicators: data.indicators.map((a) => ({
      listVersion: a.listVersion,
      code: a.code,
      label: ctx.locale === 'en' ? a.labelEn : a.labelNl,
      present: a.present,
      remark: a.remark,
      assessedAt: a.assessedAt.toISOString(),
    })),
    passages: data.passages.map((p) => ({
      source: p.source,
      sourceLabel: t(`subject_rights.source.${p.source}`),
      at: iso(p.at),
      text: p.text,
      mayConcern: true,
    })),
    passagesNote: t(
      data.nameSearched ? 'subject_rights.passages_note' : 'subject_rights.passages_not_searched',
    ),
    thirdParty:
      data.thirdParty.handling === 'withheld'
        ? {
            // No count: how many passages name them would tell the person that reports about them
            // exist. The audit row keeps the count.
            handling: 'withheld',
            sources: [...THIRD_PARTY_SOURCES],
            note: t('subject_rights.export.withheld'),
          }
        : {
            handling: 'included',
            count: data.thirdParty.count,
            sources: [...THIRD_PARTY_SOURCES],
            note: t('subject_rights.export.third_party_warning', { count: data.thirdParty.count }),
          },
  };
}

/** The download's file name: the case number and the centre's date, never anything about the person. */
export const exportFileName = (ctx: PageContext, caseNumber: string, now = new Date()) =>
  `${ctx.t('subject_rights.file_prefix')}-${caseNumber.replace(/[^0-9A-Za-z-]/g, '')}-${calendarDateIn(
    CENTRE_TIME_ZONE,
    now,
  )}.json`;
