import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import type { Region } from '../../config/region.ts';
import type { IntakeLimits } from '../../config/config.ts';
import type { FormProblem } from '../../web/form-validation.ts';
import { validateForm } from '../../web/form-validation.ts';

/** Codes stored and exported; labels live in the message catalogs (`intake.audience.<code>` …). */
export const audiences = ['self', 'environment', 'professional', 'perpetrator', 'other'] as const;
export const publicExploitationForms = ['sexual', 'criminal', 'labour', 'organ', 'other', 'unknown'] as const;
export const organisationTypes = [
  'care',
  'youth_care',
  'healthcare',
  'education',
  'municipality',
  'police_justice',
  'shelter',
  'employer',
  'other',
] as const;
export const replyChannels = ['receipt', 'email', 'phone'] as const;
export const yesNo = ['yes', 'no'] as const;

/** Form fields in the order they appear, for ordering the error summary. */
export const reportFieldOrder = [
  'audience',
  'professional_org_type',
  'exploitation_forms',
  'municipality',
  'narrative',
  'reply_channel',
  'contact_name',
  'contact_email',
  'contact_phone',
  'safe_contact_hints',
  'may_leave_message',
  'consent',
  'files',
] as const;

export const reportArrayFields = ['exploitation_forms'] as const;

/** One of a list of codes; the cast keeps the literal type that `map` widens to string. */
export const literalUnion = <T extends readonly string[]>(values: T, messages: Record<string, string>) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { messages },
  ) as unknown as TUnion<TLiteral<T[number]>[]>;

export function reportFormSchema(region: Region, limits: IntakeLimits) {
  const municipalities = [...region.municipalities.map((m) => m.code), 'outside', 'unknown'];
  return Type.Object({
    acute_danger: literalUnion(yesNo, {}),
    audience: literalUnion(audiences, { required: 'intake.errors.audience_required' }),
    professional_org_type: Type.Optional(literalUnion(organisationTypes, {})),
    exploitation_forms: Type.Array(literalUnion(publicExploitationForms, {}), {
      minItems: 1,
      maxItems: publicExploitationForms.length,
      messages: { required: 'intake.errors.forms_required' },
    }),
    municipality: literalUnion(municipalities, { required: 'intake.errors.municipality_required' }),
    narrative: Type.String({
      minLength: 1,
      maxLength: limits.maxNarrativeChars,
      messages: {
        required: 'intake.errors.narrative_required',
        too_long: 'intake.errors.narrative_too_long',
      },
    }),
    reply_channel: literalUnion(replyChannels, { required: 'intake.errors.reply_channel_required' }),
    contact_name: Type.Optional(Type.String({ maxLength: 200 })),
    contact_email: Type.Optional(
      Type.String({
        maxLength: 254,
        pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
        messages: { invalid: 'intake.errors.email_invalid' },
      }),
    ),
    contact_phone: Type.Optional(
      Type.String({
        maxLength: 30,
        pattern: '^\\+?[0-9 ()-]{6,30}$',
        messages: { invalid: 'intake.errors.phone_invalid' },
      }),
    ),
    safe_contact_hints: Type.Optional(Type.String({ maxLength: 1000 })),
    may_leave_message: Type.Optional(literalUnion(yesNo, {})),
    consent: Type.Literal('yes', {
      messages: { required: 'intake.errors.consent_required', invalid: 'intake.errors.consent_required' },
    }),
  });
}

export type ReportForm = Static<ReturnType<typeof reportFormSchema>>;

/** Schema checks, then the rules that depend on more than one field. */
export function validateReportForm(
  region: Region,
  limits: IntakeLimits,
  input: Record<string, unknown>,
): { ok: true; value: ReportForm } | { ok: false; problems: FormProblem[] } {
  const result = validateForm(reportFormSchema(region, limits), withoutInapplicable(input));
  const problems = result.ok ? [] : [...result.problems];
  const has = (field: string) => problems.some((p) => p.field === field);
  const require = (field: string, messageKey: string) => {
    if (!has(field) && input[field] === undefined) problems.push({ field, kind: 'required', messageKey });
  };
  if (input.audience === 'professional') require('professional_org_type', 'intake.errors.org_type_required');
  if (input.reply_channel === 'email') require('contact_email', 'intake.errors.email_required');
  if (input.reply_channel === 'phone') require('contact_phone', 'intake.errors.phone_required');
  if (result.ok && problems.length === 0) return { ok: true, value: minimise(result.value) };
  return { ok: false, problems };
}

/**
 * Answers to questions that do not apply (an e-mail address typed before choosing to reply by code)
 * are not checked: they must never block sending. They are still shown again if the form returns.
 */
function withoutInapplicable(input: Record<string, unknown>): Record<string, unknown> {
  const applicable = { ...input };
  if (input.audience !== 'professional') delete applicable.professional_org_type;
  if (input.reply_channel !== 'email') delete applicable.contact_email;
  if (input.reply_channel !== 'phone') {
    delete applicable.contact_phone;
    delete applicable.may_leave_message;
  }
  if (input.reply_channel !== 'email' && input.reply_channel !== 'phone')
    delete applicable.safe_contact_hints;
  return applicable;
}

/** Keep only what the chosen way of replying needs (data minimisation). */
function minimise(form: ReportForm): ReportForm {
  const forms = form.exploitation_forms.filter((f) => f !== 'unknown');
  return {
    ...form,
    professional_org_type: form.audience === 'professional' ? form.professional_org_type : undefined,
    exploitation_forms: forms.length > 0 ? forms : ['unknown'],
    contact_email: form.reply_channel === 'email' ? form.contact_email : undefined,
    contact_phone: form.reply_channel === 'phone' ? form.contact_phone : undefined,
    may_leave_message: form.reply_channel === 'phone' ? form.may_leave_message : undefined,
    safe_contact_hints: form.reply_channel === 'receipt' ? undefined : form.safe_contact_hints,
  };
}
