import { Type } from '@sinclair/typebox';
import { normaliseForm, validateForm, type FormProblem } from '../../web/form-validation.ts';

/**
 * The erasure form: only a reason, which goes into the append-only audit log with the erasure. Long
 * enough to say something ("request of the person, by e-mail of 3 March"), short enough to be read.
 */
export const REASON_MIN = 10;
export const REASON_MAX = 500;
export const eraseFieldOrder = ['reason'] as const;
export type EraseFormValues = Partial<Record<(typeof eraseFieldOrder)[number], string>>;

const EraseSchema = Type.Object({
  reason: Type.String({
    minLength: REASON_MIN,
    maxLength: REASON_MAX,
    messages: {
      required: 'subject_rights.errors.reason_required',
      invalid: 'subject_rights.errors.reason_too_short',
      too_long: 'subject_rights.errors.reason_too_long',
    },
  }),
});

export function eraseFormValues(body: unknown): EraseFormValues {
  const reason = normaliseForm(body).reason;
  return typeof reason === 'string' ? { reason } : {};
}

export function validateErase(
  values: EraseFormValues,
): { ok: true; reason: string } | { ok: false; problems: FormProblem[] } {
  const result = validateForm(EraseSchema, values);
  if (!result.ok) {
    // The limits go into every message, whichever one applies.
    const problems = result.problems.map((p) => ({ ...p, values: { min: REASON_MIN, max: REASON_MAX } }));
    return { ok: false, problems };
  }
  return { ok: true, reason: result.value.reason };
}
