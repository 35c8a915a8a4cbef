import { Type } from '@sinclair/typebox';
import type { Region } from '../../config/region.ts';
import type { MessageValues } from '../../i18n/i18n.ts';
import type { FieldErrors } from '../../web/components/form.tsx';
import { normaliseForm, toFieldErrors, validateForm } from '../../web/form-validation.ts';
import { literalUnion } from '../intake/report-form.ts';
import {
  controlMethods,
  exploitationForms,
  labourIndustries,
  recruitmentMethods,
  urgencies,
} from './codes.ts';
import { detailFields, type CaseDetails } from './case-service.ts';
import type { DetailsInput } from './views/case-edit.tsx';
import { SUMMARY_MAX_CHARS, TITLE_MAX_CHARS } from './views/case-edit.tsx';

/** Server-side validation of the case forms; messages are keys, translated by the caller's `t`. */

type Translate = (key: string, values?: MessageValues) => string;

const arrayFields = ['exploitation_forms', 'control_methods', 'recruitment_methods'] as const;

export const titleSchema = Type.String({
  minLength: 1,
  maxLength: TITLE_MAX_CHARS,
  messages: { required: 'cases.errors.title_required', too_long: 'cases.errors.title_too_long' },
});

function detailsSchema(region: Region) {
  const municipalities = [...region.municipalities.map((m) => m.code), 'outside', 'unknown'];
  const codes = <T extends readonly string[]>(list: T) =>
    Type.Array(literalUnion(list, {}), {
      maxItems: list.length,
      messages: { invalid: 'cases.errors.unknown_code' },
    });
  return Type.Object({
    title: titleSchema,
    summary: Type.Optional(Type.String({ maxLength: SUMMARY_MAX_CHARS })),
    urgency: literalUnion(urgencies, {
      required: 'cases.errors.urgency_required',
      invalid: 'cases.errors.unknown_code',
    }),
    municipality: literalUnion(municipalities, {
      required: 'cases.errors.municipality_required',
      invalid: 'cases.errors.unknown_code',
    }),
    exploitation_forms: codes(exploitationForms),
    labour_industry: Type.Optional(literalUnion(labourIndustries, { invalid: 'cases.errors.unknown_code' })),
    control_methods: codes(controlMethods),
    recruitment_methods: codes(recruitmentMethods),
  });
}

export type DetailsParse =
  | { ok: true; details: CaseDetails; version: number; typed: DetailsInput }
  | { ok: false; errors: FieldErrors; version: number; typed: DetailsInput };

/** The edit form as sent: the typed values (always, to show again) and, when valid, the details. */
export function parseDetailsForm(body: unknown, region: Region, t: Translate): DetailsParse {
  const input = normaliseForm(body, arrayFields);
  const versionText = typeof input.version === 'string' ? input.version : '';
  const version = /^\d{1,9}$/.test(versionText) ? Number(versionText) : 0;
  const text = (name: string) => (typeof input[name] === 'string' ? input[name] : undefined);
  const list = (name: string) => (Array.isArray(input[name]) ? (input[name] as string[]) : []);
  const typed: DetailsInput = {
    title: text('title'),
    summary: text('summary'),
    urgency: text('urgency') as CaseDetails['urgency'] | undefined,
    municipality: text('municipality'),
    exploitation_forms: list('exploitation_forms'),
    labour_industry: text('labour_industry') ?? null,
    control_methods: list('control_methods'),
    recruitment_methods: list('recruitment_methods'),
  };
  // Other fields (version, _csrf) are allowed beside the schema's.
  const result = validateForm(detailsSchema(region), input);
  if (!result.ok)
    return { ok: false, errors: toFieldErrors(result.problems, t, detailFields), version, typed };
  const value = result.value;
  const forms = value.exploitation_forms;
  return {
    ok: true,
    version,
    typed,
    details: {
      title: value.title,
      summary: value.summary ?? '',
      urgency: value.urgency,
      municipality: value.municipality,
      exploitation_forms: forms,
      // The industry only describes labour exploitation; without it, it would be a stray fact.
      labour_industry: forms.includes('labour') ? (value.labour_industry ?? null) : null,
      control_methods: value.control_methods,
      recruitment_methods: value.recruitment_methods,
    },
  };
}

/** A required text of at most `max` characters; the error (if any) and the text as typed. */
export function requiredText(
  input: Record<string, unknown>,
  field: string,
  max: number,
  requiredKey: string,
  t: Translate,
): { value: string; errors: FieldErrors } {
  const value = typeof input[field] === 'string' ? input[field] : '';
  if (!value) return { value, errors: [{ field, message: t(requiredKey) }] };
  if (value.length > max) return { value, errors: [{ field, message: t('validation.too_long', { max }) }] };
  return { value, errors: [] };
}
