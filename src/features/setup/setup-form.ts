import { Type, type Static } from '@sinclair/typebox';
import { normaliseForm, untrimmedField, validateForm, type FormProblem } from '../../web/form-validation.ts';

export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_CHARS = 256;

/** Form fields in the order they appear, for ordering the error summary. */
export const setupFieldOrder = ['display_name', 'email', 'password', 'password_repeat'] as const;

const passwordFields = ['password', 'password_repeat'] as const;

export const setupFormSchema = Type.Object({
  display_name: Type.String({
    minLength: 1,
    maxLength: 200,
    messages: { required: 'setup.errors.name_required' },
  }),
  email: Type.String({
    maxLength: 254,
    pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    messages: { required: 'setup.errors.email_required', invalid: 'setup.errors.email_invalid' },
  }),
  password: Type.String({
    minLength: PASSWORD_MIN_CHARS,
    maxLength: PASSWORD_MAX_CHARS,
    messages: {
      required: 'setup.errors.password_required',
      invalid: 'setup.errors.password_too_short',
      too_long: 'setup.errors.password_too_long',
    },
  }),
  password_repeat: Type.String({ messages: { required: 'setup.errors.password_repeat_required' } }),
});

export type SetupForm = Static<typeof setupFormSchema>;

/**
 * Text fields trimmed as usual; passwords exactly as typed (spaces are part of a passphrase), an
 * empty one counting as missing.
 */
export function readSetupForm(body: unknown): Record<string, unknown> {
  const input = normaliseForm(body);
  for (const field of passwordFields) input[field] = untrimmedField(body, field) || undefined;
  return input;
}

/** Schema checks, then the repeat must equal the password. */
export function validateSetupForm(
  input: Record<string, unknown>,
): { ok: true; value: SetupForm } | { ok: false; problems: FormProblem[] } {
  const result = validateForm(setupFormSchema, input);
  const problems = (result.ok ? [] : result.problems).map((problem) =>
    problem.field === 'password' && problem.kind === 'invalid'
      ? { ...problem, values: { min: PASSWORD_MIN_CHARS } }
      : problem,
  );
  const { password, password_repeat: repeat } = input;
  if (
    typeof password === 'string' &&
    typeof repeat === 'string' &&
    password !== repeat &&
    !problems.some((p) => p.field === 'password_repeat')
  ) {
    problems.push({
      field: 'password_repeat',
      kind: 'invalid',
      messageKey: 'setup.errors.password_mismatch',
    });
  }
  if (result.ok && problems.length === 0) return { ok: true, value: result.value };
  return { ok: false, problems };
}
