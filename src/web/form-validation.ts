import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import type { MessageValues } from '../i18n/i18n.ts';
import type { FieldErrors } from './components/form.tsx';

/**
 * Server-side validation of HTML forms with TypeBox. Each field schema may carry `messages`, message
 * keys per kind of problem; the page shows them beside the field and in the error summary.
 */
export type ProblemKind = 'required' | 'too_long' | 'invalid';

export interface FieldMessages {
  messages?: Partial<Record<ProblemKind, string>>;
}

export interface FormProblem {
  field: string;
  kind: ProblemKind;
  /** A message key; the view translates it. */
  messageKey: string;
  values?: MessageValues;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: FormProblem[] };

const genericMessages: Record<ProblemKind, string> = {
  required: 'validation.required',
  too_long: 'validation.too_long',
  invalid: 'validation.invalid',
};

/**
 * Turns a parsed form body into plain values: strings trimmed and without NUL characters, empty
 * strings dropped, and the fields named in `arrayFields` always arrays (a single checked checkbox
 * arrives as a string).
 */
export function normaliseForm(body: unknown, arrayFields: readonly string[] = []): Record<string, unknown> {
  const input = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const output: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    const values = (Array.isArray(raw) ? raw : [raw])
      .filter((v): v is string => typeof v === 'string')
      // PostgreSQL text cannot hold NUL, which pasting from some PDFs brings along.
      .map((v) => v.replace(/\r\n/g, '\n').replaceAll('\u0000', '').trim())
      .filter((v) => v !== '');
    if (arrayFields.includes(key)) output[key] = [...new Set(values)];
    else if (values[0] !== undefined) output[key] = values[0];
  }
  for (const key of arrayFields) output[key] ??= [];
  return output;
}

/** A field exactly as sent, untrimmed (a password's spaces belong to it); '' when absent. */
export function untrimmedField(body: unknown, name: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' ? first : '';
}

export function validateForm<T extends TObject>(
  schema: T,
  input: Record<string, unknown>,
): ValidationResult<Static<T>> {
  if (Value.Check(schema, input)) return { ok: true, value: input };
  const problems: FormProblem[] = [];
  for (const error of Value.Errors(schema, input)) {
    const field = error.path.split('/')[1] ?? '';
    if (!field || problems.some((p) => p.field === field)) continue;
    const kind = kindOf(error.type, input[field]);
    const fieldSchema: (TSchema & FieldMessages) | undefined = schema.properties[field];
    problems.push({
      field,
      kind,
      messageKey: fieldSchema?.messages?.[kind] ?? genericMessages[kind],
      values: limitsOf(fieldSchema),
    });
  }
  return { ok: false, problems };
}

function kindOf(type: ValueErrorType, value: unknown): ProblemKind {
  if (
    value === undefined ||
    (Array.isArray(value) && value.length === 0 && type === ValueErrorType.ArrayMinItems)
  ) {
    return 'required';
  }
  if (type === ValueErrorType.StringMaxLength || type === ValueErrorType.ArrayMaxItems) return 'too_long';
  return 'invalid';
}

function limitsOf(schema: TSchema | undefined): MessageValues {
  const limits = schema as { maxLength?: number; maxItems?: number } | undefined;
  return { max: limits?.maxLength ?? limits?.maxItems };
}

/** Translates problems for display; the order follows the form, not the validator. */
export function toFieldErrors(
  problems: FormProblem[],
  t: (key: string, values?: MessageValues) => string,
  fieldOrder: readonly string[],
): FieldErrors {
  const position = (field: string) => {
    const index = fieldOrder.indexOf(field);
    return index === -1 ? fieldOrder.length : index;
  };
  return [...problems]
    .sort((a, b) => position(a.field) - position(b.field))
    .map((p) => ({ field: p.field, message: t(p.messageKey, p.values) }));
}
