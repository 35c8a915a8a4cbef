import { Type } from '@sinclair/typebox';
import { validateForm, type FormProblem } from '../../web/form-validation.ts';
import { isUuid } from '../../db/ids.ts';
import { isAssignableRole, type AssignableRole } from './users-service.ts';

/** Server-side checks of the administrators' forms; message keys under `users.errors.`. */

const inviteSchema = Type.Object({
  display_name: Type.String({
    minLength: 1,
    maxLength: 200,
    messages: { required: 'users.errors.name_required' },
  }),
  email: Type.String({
    maxLength: 254,
    pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
    messages: { required: 'users.errors.email_required', invalid: 'users.errors.email_invalid' },
  }),
});

type Checked<T> = { ok: true; value: T } | { ok: false; problems: FormProblem[] };

/** A role among the assignable ones and an optional team id (the empty choice is "no team"). */
function roleAndTeam(input: Record<string, unknown>, problems: FormProblem[]) {
  const { role, team } = input;
  if (!isAssignableRole(role)) {
    problems.push({
      field: 'role',
      kind: role === undefined ? 'required' : 'invalid',
      messageKey: 'users.errors.role_required',
    });
  }
  if (team !== undefined && (typeof team !== 'string' || !isUuid(team))) {
    problems.push({ field: 'team', kind: 'invalid', messageKey: 'users.errors.team_unknown' });
  }
  return { role: role as AssignableRole, teamId: typeof team === 'string' ? team : undefined };
}

export function validateInvite(
  input: Record<string, unknown>,
): Checked<{ displayName: string; email: string; role: AssignableRole; teamId: string | undefined }> {
  const result = validateForm(inviteSchema, {
    display_name: input.display_name,
    email: input.email,
  });
  const problems = result.ok ? [] : result.problems;
  const choice = roleAndTeam(input, problems);
  if (!result.ok || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: { displayName: result.value.display_name, email: result.value.email, ...choice },
  };
}

export function validateRoleChange(
  input: Record<string, unknown>,
): Checked<{ role: AssignableRole; teamId: string | undefined }> {
  const problems: FormProblem[] = [];
  const choice = roleAndTeam(input, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: choice };
}

export const TEAM_NAME_MAX = 100;

export function validateTeamName(input: Record<string, unknown>): Checked<string> {
  const { name } = input;
  if (typeof name !== 'string') {
    return {
      ok: false,
      problems: [{ field: 'name', kind: 'required', messageKey: 'users.errors.team_name_required' }],
    };
  }
  if (name.length > TEAM_NAME_MAX) {
    return {
      ok: false,
      problems: [
        {
          field: 'name',
          kind: 'too_long',
          messageKey: 'validation.too_long',
          values: { max: TEAM_NAME_MAX },
        },
      ],
    };
  }
  return { ok: true, value: name };
}
