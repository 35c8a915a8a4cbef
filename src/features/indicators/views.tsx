import type { PageContext } from '../../web/page-context.ts';
import {
  ErrorSummary,
  HiddenField,
  SubmitButton,
  errorFor,
  fieldId,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { CaseSectionLayout } from '../cases/views/case-sections-nav.tsx';
import { caseSectionPath } from '../case-sections/case-section.ts';
import { formatDateTime } from '../../web/format.ts';
import { indicatorForms, type IndicatorForm } from './indicator-lists.ts';
import {
  NOT_ASSESSED,
  REMARK_MAX_CHARS,
  type Assessment,
  type ChecklistItem,
  type IndicatorChecklist,
  type IndicatorState,
} from './indicator-service.ts';
import { fieldNames } from './checklist-form.ts';

const labelOf = (ctx: PageContext, item: ChecklistItem) =>
  ctx.locale === 'nl' ? item.labelNl : item.labelEn;

/** "Ticked by Ada on 3 Dec 2026, 14:05" for the latest assessment. */
function AssessedBy({ ctx, assessment }: { ctx: PageContext; assessment: Assessment }) {
  const values = {
    name: assessment.assessedByName ?? ctx.t('indicators.unknown_person'),
    date: formatDateTime(ctx, assessment.assessedAt),
  };
  return (
    <p class="utrecht-paragraph baken-muted" data-assessed-by="">
      {assessment.present ? ctx.t('indicators.ticked_by', values) : ctx.t('indicators.unticked_by', values)}
    </p>
  );
}

function History({ ctx, item }: { ctx: PageContext; item: ChecklistItem }) {
  if (item.history.length === 0) return null;
  return (
    <details class="baken-indicator__history" data-history="">
      <summary>{ctx.t('indicators.history', { count: item.history.length })}</summary>
      <ol class="utrecht-ordered-list">
        {item.history.map((row) => (
          <li class="utrecht-ordered-list__item" key={row.id} data-history-row="">
            {ctx.t(row.present ? 'indicators.history_ticked' : 'indicators.history_unticked', {
              name: row.assessedByName ?? ctx.t('indicators.unknown_person'),
              date: formatDateTime(ctx, row.assessedAt),
            })}
            {row.remark ? (
              <>
                {' '}
                {ctx.t('indicators.history_remark')} <q>{row.remark}</q>
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** One indicator in the form: its own fieldset, named by the indicator, with a checkbox and a remark. */
function IndicatorField({
  ctx,
  item,
  value,
  error,
}: {
  ctx: PageContext;
  item: ChecklistItem;
  value: IndicatorState;
  error: string | undefined;
}) {
  const names = fieldNames(item.code);
  const shown = item.current ?? NOT_ASSESSED;
  const remarkId = fieldId(names.remark);
  return (
    <fieldset
      class="utrecht-form-fieldset__fieldset utrecht-form-fieldset--html-fieldset baken-indicator"
      data-indicator={item.code}
      data-present={item.current?.present ? 'yes' : 'no'}
    >
      <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
        {labelOf(ctx, item)}
      </legend>
      <HiddenField name={names.shownPresent} value={shown.present ? '1' : '0'} />
      <HiddenField name={names.shownRemark} value={shown.remark ?? ''} />
      <div class="utrecht-form-field utrecht-form-field--checkbox">
        <div class="utrecht-form-field__input">
          <input
            class="utrecht-checkbox utrecht-checkbox--html-input"
            type="checkbox"
            id={fieldId(names.present)}
            name={names.present}
            value="yes"
            checked={value.present}
          />
        </div>
        <div class="utrecht-form-field__label">
          <label class="utrecht-form-label utrecht-form-label--checkbox" for={fieldId(names.present)}>
            {ctx.t('indicators.present')}
          </label>
        </div>
      </div>
      <div
        class={`utrecht-form-field utrecht-form-field--text${error ? ' utrecht-form-field--invalid' : ''}`}
      >
        <div class="utrecht-form-field__label">
          <label class="utrecht-form-label" for={remarkId}>
            {ctx.t('indicators.remark')}
          </label>
        </div>
        {error ? (
          <div class="utrecht-form-field-error-message" id={`${remarkId}-error`}>
            {error}
          </div>
        ) : null}
        <div class="utrecht-form-field__input">
          <input
            class={`utrecht-textbox utrecht-textbox--html-input${error ? ' utrecht-textbox--invalid' : ''}`}
            type="text"
            id={remarkId}
            name={names.remark}
            value={value.remark ?? ''}
            maxLength={REMARK_MAX_CHARS}
            autocomplete="off"
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? `${remarkId}-error` : undefined}
          />
        </div>
      </div>
      {item.current ? <AssessedBy ctx={ctx} assessment={item.current} /> : null}
      <History ctx={ctx} item={item} />
    </fieldset>
  );
}

function FormGroup({
  ctx,
  form,
  items,
  expanded,
  typed,
  errors,
}: {
  ctx: PageContext;
  form: IndicatorForm;
  items: ChecklistItem[];
  expanded: boolean;
  typed: Map<string, IndicatorState> | undefined;
  errors: FieldErrors;
}) {
  const ticked = items.filter((item) => item.current?.present).length;
  const fields = items.map((item) => (
    <IndicatorField
      key={item.code}
      ctx={ctx}
      item={item}
      value={typed?.get(item.code) ?? item.current ?? NOT_ASSESSED}
      error={errorFor(errors, fieldNames(item.code).remark)}
    />
  ));
  const headingId = `form-${form}`;
  return (
    <section aria-labelledby={headingId} class="baken-indicator-form" data-indicator-form={form}>
      <h2 class="utrecht-heading-2" id={headingId}>
        {ctx.t(`indicators.form.${form}`)}
      </h2>
      <p class="utrecht-paragraph" data-ticked-count={String(ticked)}>
        {ctx.t('indicators.count', { ticked, total: items.length })}
      </p>
      {form === 'general' ? (
        fields
      ) : (
        <details open={expanded} data-expanded={expanded ? 'yes' : 'no'}>
          <summary>{ctx.t('indicators.show_form', { form: ctx.t(`indicators.form.${form}`) })}</summary>
          {fields}
        </details>
      )}
    </section>
  );
}

/** Indicators of older list versions that were assessed for this case: read-only, with their labels. */
function EarlierLists({ ctx, items }: { ctx: PageContext; items: ChecklistItem[] }) {
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="earlier-heading" data-earlier-lists="">
      <h2 class="utrecht-heading-2" id="earlier-heading">
        {ctx.t('indicators.earlier_heading')}
      </h2>
      <p class="utrecht-paragraph">{ctx.t('indicators.earlier_intro')}</p>
      <ul class="utrecht-unordered-list">
        {items.map((item) => (
          <li
            class="utrecht-unordered-list__item"
            key={`${item.listVersion}/${item.code}`}
            data-earlier-indicator={item.code}
          >
            <strong>{labelOf(ctx, item)}</strong> ({ctx.t(`indicators.form.${item.form}`)},{' '}
            {ctx.t('indicators.list_version', { version: item.listVersion })})
            {item.current ? <AssessedBy ctx={ctx} assessment={item.current} /> : null}
            {item.current?.remark ? (
              <p class="utrecht-paragraph">
                {ctx.t('indicators.history_remark')} <q>{item.current.remark}</q>
              </p>
            ) : null}
            <History ctx={ctx} item={item} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** General first, then the case's own forms of exploitation, then the others. */
const formsInOrder = (caseForms: readonly string[]): IndicatorForm[] => [
  ...indicatorForms.filter((form) => form === 'general'),
  ...indicatorForms.filter((form) => form !== 'general' && caseForms.includes(form)),
  ...indicatorForms.filter((form) => form !== 'general' && !caseForms.includes(form)),
];

export function ChecklistPage({
  ctx,
  checklist,
  csrfToken,
  errors,
  typed,
  saved,
}: {
  ctx: PageContext;
  checklist: IndicatorChecklist;
  csrfToken: string;
  errors: FieldErrors;
  /** What the person typed, shown again when the form was refused. */
  typed?: Map<string, IndicatorState> | undefined;
  /** Set after a save: how many indicators it changed. */
  saved?: number | undefined;
}) {
  const { t } = ctx;
  const { caseFacts } = checklist;
  const hasErrorIn = (items: ChecklistItem[]) =>
    items.some((item) => errorFor(errors, fieldNames(item.code).remark) !== undefined);
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseFacts.id}
      caseNumber={caseFacts.number}
      section="indicators"
      hasErrors={errors.length > 0}
    >
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      {saved !== undefined ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status" data-saved={String(saved)}>
          <p class="utrecht-paragraph">{t('indicators.saved', { count: saved })}</p>
        </div>
      ) : null}
      <p class="utrecht-paragraph">{t('indicators.intro')}</p>
      <form
        class="baken-form"
        method="post"
        action={ctx.href(caseSectionPath(caseFacts.id, 'indicators'))}
        novalidate
      >
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        {formsInOrder(caseFacts.exploitationForms).map((form) => {
          const items = checklist.items.filter((item) => item.form === form);
          if (items.length === 0) return null;
          const expanded =
            caseFacts.exploitationForms.includes(form) ||
            items.some((item) => item.current?.present) ||
            hasErrorIn(items);
          return (
            <FormGroup
              key={form}
              ctx={ctx}
              form={form}
              items={items}
              expanded={expanded}
              typed={typed}
              errors={errors}
            />
          );
        })}
        <SubmitButton>{t('indicators.submit')}</SubmitButton>
      </form>
      <EarlierLists ctx={ctx} items={checklist.earlier} />
    </CaseSectionLayout>
  );
}
