import type { ComponentChildren } from 'preact';

/** A validation problem for one field, with the message already in the page's language. */
export interface FieldError {
  field: string;
  message: string;
}

export type FieldErrors = FieldError[];

/** The `field` of a problem with the whole form (such as an expired form) rather than one field. */
export const FORM_LEVEL = '_form';

export function errorFor(errors: FieldErrors, field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}

/** The id a field's first focusable control gets, so the error summary can link to it. */
export function fieldId(name: string, optionValue?: string): string {
  const base = `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return optionValue === undefined ? base : `${base}-${optionValue.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter(Boolean).join(' ');
  return list || undefined;
}

/**
 * Listed first in the form, linked to each field. Focused by public/js/app.js when present;
 * without JavaScript it is the first thing after the heading.
 */
export function ErrorSummary({
  errors,
  heading,
  firstControl,
}: {
  errors: FieldErrors;
  heading: string;
  /** Maps a field name to the id of its first control (for radio and checkbox groups). */
  firstControl?: (field: string) => string;
}) {
  if (errors.length === 0) return null;
  return (
    <div
      class="utrecht-alert utrecht-alert--error baken-error-summary"
      role="alert"
      tabindex={-1}
      data-error-summary=""
    >
      <div class="utrecht-alert__content">
        <h2 class="utrecht-heading-2 baken-error-summary__heading">{heading}</h2>
        <ul class="utrecht-unordered-list">
          {errors.map((error) => (
            <li class="utrecht-unordered-list__item" key={error.field}>
              {error.field === FORM_LEVEL ? (
                error.message
              ) : (
                <a
                  class="utrecht-link"
                  href={`#${firstControl ? firstControl(error.field) : fieldId(error.field)}`}
                >
                  {error.message}
                </a>
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
}

function FieldShell({ name, label, hint, error, children }: FieldProps & { children: ComponentChildren }) {
  const id = fieldId(name);
  return (
    <div class={`utrecht-form-field utrecht-form-field--text${error ? ' utrecht-form-field--invalid' : ''}`}>
      <div class="utrecht-form-field__label">
        <label class="utrecht-form-label" for={id}>
          {label}
        </label>
      </div>
      {hint ? (
        <div class="utrecht-form-field__description utrecht-form-field-description" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div class="utrecht-form-field__error-message utrecht-form-field-error-message" id={`${id}-error`}>
          {error}
        </div>
      ) : null}
      <div class="utrecht-form-field__input">{children}</div>
    </div>
  );
}

export function TextInput(
  props: FieldProps & {
    value?: string | undefined;
    type?: 'text' | 'email' | 'tel' | 'password';
    autocomplete?: string;
    inputMode?: 'text' | 'numeric' | 'email' | 'tel';
    maxLength?: number;
    spellcheck?: boolean;
    class?: string;
  },
) {
  const id = fieldId(props.name);
  return (
    <FieldShell {...props}>
      <input
        class={`utrecht-textbox utrecht-textbox--html-input${props.error ? ' utrecht-textbox--invalid' : ''}${props.class ? ` ${props.class}` : ''}`}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete ?? 'off'}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        spellcheck={props.spellcheck}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.hint && `${id}-hint`, props.error && `${id}-error`)}
      />
    </FieldShell>
  );
}

/** An e-mail address of a staff account (RFC 5321 caps an address at 254 characters). */
export function EmailInput(props: FieldProps & { value?: string | undefined; autocomplete?: string }) {
  return <TextInput {...props} type="email" inputMode="email" spellcheck={false} maxLength={254} />;
}

/** A new password and its repeat: never echoed back, no maxlength (a long paste must not be cut silently). */
export function NewPasswordFields({
  label,
  hint,
  repeatLabel,
  errors,
}: {
  label: string;
  hint: string;
  repeatLabel: string;
  errors: FieldErrors;
}) {
  const common = {
    type: 'password',
    autocomplete: 'new-password',
    spellcheck: false,
    required: true,
  } as const;
  return (
    <>
      <TextInput {...common} name="password" label={label} hint={hint} error={errorFor(errors, 'password')} />
      <TextInput
        {...common}
        name="password_repeat"
        label={repeatLabel}
        error={errorFor(errors, 'password_repeat')}
      />
    </>
  );
}

export function TextArea(
  props: FieldProps & { value?: string | undefined; rows?: number; maxLength?: number },
) {
  const id = fieldId(props.name);
  return (
    <FieldShell {...props}>
      <textarea
        class={`utrecht-textarea utrecht-textarea--html-textarea${props.error ? ' utrecht-textarea--invalid' : ''}`}
        id={id}
        name={props.name}
        rows={props.rows ?? 8}
        maxLength={props.maxLength}
        required={props.required}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.hint && `${id}-hint`, props.error && `${id}-error`)}
      >
        {props.value ?? ''}
      </textarea>
    </FieldShell>
  );
}

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

interface ChoiceGroupProps {
  name: string;
  legend: string;
  hint?: string | undefined;
  error?: string | undefined;
  options: Option[];
  required?: boolean;
}

/** Radio buttons or checkboxes in a fieldset; the legend names the question. */
function ChoiceGroup({
  kind,
  name,
  legend,
  hint,
  error,
  options,
  isChecked,
}: ChoiceGroupProps & { kind: 'radio' | 'checkbox'; isChecked: (value: string) => boolean }) {
  const id = fieldId(name);
  const inputClass =
    kind === 'radio'
      ? 'utrecht-radio-button utrecht-radio-button--html-input'
      : 'utrecht-checkbox utrecht-checkbox--html-input';
  return (
    <div class={`utrecht-form-fieldset${error ? ' utrecht-form-fieldset--invalid' : ''}`}>
      <fieldset
        class="utrecht-form-fieldset__fieldset utrecht-form-fieldset--html-fieldset"
        aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
        aria-invalid={error ? 'true' : undefined}
      >
        <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
          {legend}
        </legend>
        {hint ? (
          <div class="utrecht-form-field-description" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
        {error ? (
          <div class="utrecht-form-field-error-message" id={`${id}-error`}>
            {error}
          </div>
        ) : null}
        {options.map((option) => {
          const optionId = fieldId(name, option.value);
          return (
            <div class={`utrecht-form-field utrecht-form-field--${kind}`} key={option.value}>
              <div class="utrecht-form-field__input">
                <input
                  class={`${inputClass}${error ? ` ${kind === 'radio' ? 'utrecht-radio-button--invalid' : ''}` : ''}`}
                  type={kind}
                  id={optionId}
                  name={name}
                  value={option.value}
                  checked={isChecked(option.value)}
                  aria-describedby={option.hint ? `${optionId}-hint` : undefined}
                />
              </div>
              <div class="utrecht-form-field__label">
                <label class={`utrecht-form-label utrecht-form-label--${kind}`} for={optionId}>
                  {option.label}
                </label>
              </div>
              {option.hint ? (
                <div
                  class="utrecht-form-field__description utrecht-form-field-description"
                  id={`${optionId}-hint`}
                >
                  {option.hint}
                </div>
              ) : null}
            </div>
          );
        })}
      </fieldset>
    </div>
  );
}

export function RadioGroup(props: ChoiceGroupProps & { value?: string | undefined }) {
  return <ChoiceGroup {...props} kind="radio" isChecked={(v) => v === props.value} />;
}

export function CheckboxGroup(props: ChoiceGroupProps & { values?: readonly string[] | undefined }) {
  return <ChoiceGroup {...props} kind="checkbox" isChecked={(v) => props.values?.includes(v) ?? false} />;
}

export function SelectField(
  props: FieldProps & { value?: string | undefined; options: Option[]; placeholder?: string },
) {
  const id = fieldId(props.name);
  return (
    <FieldShell {...props}>
      <select
        class={`utrecht-select utrecht-select--html-select${props.error ? ' utrecht-select--invalid' : ''}`}
        id={id}
        name={props.name}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.hint && `${id}-hint`, props.error && `${id}-error`)}
      >
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.value} key={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function FileField(props: FieldProps & { accept: string; multiple?: boolean }) {
  const id = fieldId(props.name);
  return (
    <FieldShell {...props}>
      <input
        id={id}
        name={props.name}
        type="file"
        multiple={props.multiple}
        accept={props.accept}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.hint && `${id}-hint`, props.error && `${id}-error`)}
      />
    </FieldShell>
  );
}

export function HiddenField({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}

export function SubmitButton({
  children,
  variant = 'primary',
  name,
  value,
}: {
  children: ComponentChildren;
  variant?: 'primary' | 'secondary';
  name?: string;
  value?: string;
}) {
  return (
    <button
      type="submit"
      class={`utrecht-button utrecht-button--${variant}-action utrecht-button--submit`}
      name={name}
      value={value}
    >
      {children}
    </button>
  );
}
