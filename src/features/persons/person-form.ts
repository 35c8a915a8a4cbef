import { Type, type TSchema } from '@sinclair/typebox';
import { personRoles, type PersonRole } from '../../db/schema.ts';
import { normaliseForm, validateForm, type FormProblem } from '../../web/form-validation.ts';
import { nationalityCodes } from './nationalities.ts';

/**
 * The form for one person in a case: only the fields needed (data minimisation), and the fields about
 * victimhood only for a presumed victim. Codes follow HTCDS where it has them.
 */
export const VICTIM_ROLE: PersonRole = 'presumed_victim';
export const ageBands = [
  '0-11',
  '12-17',
  '18-24',
  '25-34',
  '35-44',
  '45-54',
  '55-64',
  '65+',
  'unknown',
] as const;
export const sexes = ['female', 'male', 'other', 'unknown'] as const;
export const traffickingStatuses = ['possible', 'actual', 'not_a_victim'] as const;
export const relationships = [
  'intimate_partner',
  'family_member',
  'friend_or_acquaintance',
  'employer',
  'recruiter',
  'other',
  'unknown',
] as const;

export const NAME_MAX = 200;
export const CONTACT_MAX = 500;
export const ORGANISATION_MAX = 200;
export const LANGUAGES_MAX = 200;
export const MAX_AGE = 120;

/** The fields only a presumed victim has; ignored for every other role. */
export const victimOnlyFields = [
  'age_at_exploitation_start',
  'trafficking_status',
  'decision_organisation',
  'relationship_to_perpetrator',
] as const;

/** The form's fields in the order it shows them (for the error summary). */
export const personFieldOrder = [
  'role',
  'name',
  'contact',
  'age',
  'age_band',
  'sex',
  'nationality',
  'languages',
  ...victimOnlyFields,
] as const;

const AGE_PATTERN = '^(?:[0-9]|[1-9][0-9]|1[01][0-9]|120)$';

const choice = (values: readonly string[], required: string, invalid = required): TSchema =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { messages: { required, invalid } },
  );

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

const PersonSchema = Type.Object({
  role: choice(personRoles, 'persons.errors.role_required'),
  name: text(NAME_MAX),
  contact: text(CONTACT_MAX),
  age: Type.Optional(
    Type.String({ pattern: AGE_PATTERN, messages: { invalid: 'persons.errors.age_invalid' } }),
  ),
  age_band: Type.Optional(choice(ageBands, 'validation.invalid')),
  sex: Type.Optional(choice(sexes, 'validation.invalid')),
  nationality: Type.Optional(choice(nationalityCodes, 'validation.invalid')),
  languages: text(LANGUAGES_MAX),
  age_at_exploitation_start: Type.Optional(
    Type.String({ pattern: AGE_PATTERN, messages: { invalid: 'persons.errors.age_invalid' } }),
  ),
  trafficking_status: Type.Optional(choice(traffickingStatuses, 'validation.invalid')),
  decision_organisation: text(ORGANISATION_MAX),
  relationship_to_perpetrator: Type.Optional(choice(relationships, 'validation.invalid')),
});

/** A person as stored (before encryption of name and contact). */
export interface PersonInput {
  role: PersonRole;
  name: string | null;
  contact: string | null;
  age: number | null;
  ageBand: string | null;
  ageAtExploitationStart: number | null;
  sex: (typeof sexes)[number] | null;
  nationality: string | null;
  languages: string[];
  traffickingStatus: (typeof traffickingStatuses)[number] | null;
  decisionOrganisation: string | null;
  relationshipToPerpetrator: string | null;
}

/** What the form holds, as typed (shown again when it is refused). */
export type PersonFormValues = Partial<Record<(typeof personFieldOrder)[number], string>>;

/** The age band an age falls in. */
export function ageBandOf(age: number): string {
  if (age <= 11) return '0-11';
  if (age <= 17) return '12-17';
  if (age >= 65) return '65+';
  const lower = [18, 25, 35, 45, 55].filter((start) => age >= start).at(-1) ?? 18;
  return ageBands.find((band) => band.startsWith(`${lower}-`)) ?? 'unknown';
}

/** Languages typed as a list: "Roemeens, Engels" → ['Roemeens', 'Engels'], without doubles. */
export const languagesOf = (value: string | undefined): string[] => [
  ...new Set(
    (value ?? '')
      .split(/[,;\n]/)
      .map((language) => language.trim())
      .filter(Boolean),
  ),
];

/** The form's strings from the request body; victim-only fields dropped for other roles. */
export function personFormValues(body: unknown): PersonFormValues {
  const input = normaliseForm(body);
  const isVictim = input.role === VICTIM_ROLE;
  const values: PersonFormValues = {};
  for (const field of personFieldOrder) {
    const value = input[field];
    const applies = isVictim || !(victimOnlyFields as readonly string[]).includes(field);
    if (typeof value === 'string' && applies) values[field] = value;
  }
  return values;
}

export type PersonValidation = { ok: true; person: PersonInput } | { ok: false; problems: FormProblem[] };

const numberOrNull = (value: string | undefined) => (value === undefined ? null : Number(value));

export function validatePerson(values: PersonFormValues): PersonValidation {
  const result = validateForm(PersonSchema, values);
  if (!result.ok) return result;
  const age = numberOrNull(values.age);
  const ageAtStart = numberOrNull(values.age_at_exploitation_start);
  const problems: FormProblem[] = [];
  if (
    age !== null &&
    values.age_band &&
    values.age_band !== 'unknown' &&
    values.age_band !== ageBandOf(age)
  ) {
    problems.push({ field: 'age_band', kind: 'invalid', messageKey: 'persons.errors.age_band_mismatch' });
  }
  if (age !== null && ageAtStart !== null && ageAtStart > age) {
    problems.push({
      field: 'age_at_exploitation_start',
      kind: 'invalid',
      messageKey: 'persons.errors.age_at_start_after_age',
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    person: {
      role: values.role as PersonRole,
      name: values.name ?? null,
      contact: values.contact ?? null,
      age,
      // An age decides the band, so statistics by band need no second question.
      ageBand: age !== null ? ageBandOf(age) : (values.age_band ?? null),
      ageAtExploitationStart: ageAtStart,
      sex: (values.sex as PersonInput['sex'] | undefined) ?? null,
      nationality: values.nationality ?? null,
      languages: languagesOf(values.languages),
      traffickingStatus: (values.trafficking_status as PersonInput['traffickingStatus'] | undefined) ?? null,
      decisionOrganisation: values.decision_organisation ?? null,
      relationshipToPerpetrator: values.relationship_to_perpetrator ?? null,
    },
  };
}

/** A stored person as form values, for the edit form. */
export function formValuesOf(person: PersonInput): PersonFormValues {
  const values: PersonFormValues = { role: person.role };
  const set = (field: keyof PersonFormValues, value: string | number | null) => {
    if (value !== null && value !== '') values[field] = String(value);
  };
  set('name', person.name);
  set('contact', person.contact);
  set('age', person.age);
  // A band derived from the age is not a separate answer.
  if (person.age === null) set('age_band', person.ageBand);
  set('sex', person.sex);
  set('nationality', person.nationality);
  set('languages', person.languages.join(', '));
  set('age_at_exploitation_start', person.ageAtExploitationStart);
  set('trafficking_status', person.traffickingStatus);
  set('decision_organisation', person.decisionOrganisation);
  set('relationship_to_perpetrator', person.relationshipToPerpetrator);
  return values;
}
