import { Type, type Static } from '@sinclair/typebox';
import { normaliseForm, untrimmedField, validateForm, type FormProblem } from '../../web/form-validation.ts';
import { newPasswordProblems } from '../users/password-policy.ts';

// The one password policy (length, breached list, repeat) lives in features/users/password-policy.ts.
export { PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS } from '../users/password-policy.ts';

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
  password: Type.String(),
  password_repeat: Type.String(),
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

/** Name and e-mail address by the schema, the passwords by the shared password policy. */
export function validateSetupForm(
  input: Record<string, unknown>,
): { ok: true; value: SetupForm } | { ok: false; problems: FormProblem[] } {
  const passwordProblems = newPasswordProblems(
    typeof input.password === 'string' ? input.password : undefined,
    typeof input.password_repeat === 'string' ? input.password_repeat : undefined,
  );
  const result = validateForm(setupFormSchema, input);
  const problems = [
    ...(result.ok
      ? []
      : result.problems.filter((p) => !(passwordFields as readonly string[]).includes(p.field))),
    ...passwordProblems,
  ];
  if (result.ok && problems.length === 0) return { ok: true, value: result.value };
  return { ok: false, problems };
}
