import { Type } from '@sinclair/typebox';
import { normaliseForm, validateForm, type FormProblem } from '../../web/form-validation.ts';
import { TITLE_MAX, type NewTask } from './task-service.ts';
import { isCalendarDate } from './task-dates.ts';

/** The form for a new task: a title, an optional due date (YYYY-MM-DD, a real date), an owner. */
export const taskFieldOrder = ['title', 'due_on', 'owner'] as const;
export type TaskFormValues = Partial<Record<(typeof taskFieldOrder)[number], string>>;

const TaskSchema = Type.Object({
  title: Type.String({
    maxLength: TITLE_MAX,
    messages: { required: 'tasks.errors.title_required', too_long: 'tasks.errors.title_too_long' },
  }),
  due_on: Type.Optional(
    Type.String({
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
      messages: { invalid: 'tasks.errors.due_on_invalid' },
    }),
  ),
  owner: Type.String({
    messages: { required: 'tasks.errors.owner_required', invalid: 'tasks.errors.owner_required' },
  }),
});

export function taskFormValues(body: unknown): TaskFormValues {
  const input = normaliseForm(body);
  const values: TaskFormValues = {};
  for (const field of taskFieldOrder) {
    const value = input[field];
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

export function validateTask(
  values: TaskFormValues,
): { ok: true; task: NewTask } | { ok: false; problems: FormProblem[] } {
  const result = validateForm(TaskSchema, values);
  const problems = result.ok ? [] : [...result.problems];
  // A date in the right shape can still not exist (2026-02-30); said at once with the other problems.
  if (
    values.due_on !== undefined &&
    !problems.some((p) => p.field === 'due_on') &&
    !isCalendarDate(values.due_on)
  ) {
    problems.push({ field: 'due_on', kind: 'invalid', messageKey: 'tasks.errors.due_on_invalid' });
  }
  if (!result.ok || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    task: { title: result.value.title, dueOn: values.due_on ?? null, ownerId: result.value.owner },
  };
}
