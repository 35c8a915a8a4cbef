import type { FormProblem } from '../../web/form-validation.ts';
import { breachedPasswords, isBreachedPassword } from './breached-passwords.ts';

/**
 * The one password policy for staff accounts, used by the first administrator's setup, by accepting
 * an invitation and by a reset link: at least 12 and at most 256 characters (spaces count; a
 * passphrase is welcome), not one of the most common breached passwords (case-insensitive), and
 * typed twice alike. Stored as argon2id (crypto/passwords.ts).
 */
export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_CHARS = 256;

/** Loads the breached list now rather than at the first new password (call at start-up). */
export function preloadPasswordPolicy(): number {
  return breachedPasswords(PASSWORD_MIN_CHARS).size;
}

/**
 * Problems with a new password and its repeat, as form problems on the fields `password` and
 * `password_repeat` (message keys under `password.errors.`). Empty means acceptable.
 */
export function newPasswordProblems(password: string | undefined, repeat: string | undefined): FormProblem[] {
  const problems: FormProblem[] = [];
  const problem = (field: string, kind: FormProblem['kind'], key: string, values?: FormProblem['values']) =>
    problems.push({ field, kind, messageKey: `password.errors.${key}`, ...(values ? { values } : {}) });
  if (!password) problem('password', 'required', 'required');
  else if (password.length < PASSWORD_MIN_CHARS)
    problem('password', 'invalid', 'too_short', { min: PASSWORD_MIN_CHARS });
  else if (password.length > PASSWORD_MAX_CHARS)
    problem('password', 'too_long', 'too_long', { max: PASSWORD_MAX_CHARS });
  else if (isBreachedPassword(password, PASSWORD_MIN_CHARS)) problem('password', 'invalid', 'breached');
  if (!repeat) problem('password_repeat', 'required', 'repeat_required');
  else if (password && repeat !== password) problem('password_repeat', 'invalid', 'mismatch');
  return problems;
}
