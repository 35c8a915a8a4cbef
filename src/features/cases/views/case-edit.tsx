import type { PageContext } from '../../../web/page-context.ts';
import { HeadingWithBackLink } from '../../../web/components/page-heading.tsx';
import { CaseSectionsNav } from './case-sections-nav.tsx';
import { StaffLayout } from '../../../web/components/staff-layout.tsx';
import {
  CheckboxGroup,
  ErrorSummary,
  HiddenField,
  RadioGroup,
  SelectField,
  SubmitButton,
  TextArea,
  TextInput,
  errorFor,
  fieldId,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';
import {
  controlMethods,
  exploitationForms,
  labourIndustries,
  recruitmentMethods,
  urgencies,
} from '../codes.ts';
import { casePath } from '../case-access.ts';
import { detailFields, type CaseDetails, type CaseRecord } from '../case-service.ts';
import { label, labels, municipalityName, municipalityOptions } from './shared.tsx';

export const TITLE_MAX_CHARS = 200;
export const SUMMARY_MAX_CHARS = 10_000;

/** What the form holds: the details as typed (possibly invalid) plus the version they were based on. */
export type DetailsInput = { [K in keyof CaseDetails]?: CaseDetails[K] | undefined };

const options = (ctx: PageContext, list: string, codes: readonly string[]) =>
  codes.map((code) => ({ value: code, label: label(ctx, list, code) }));

const groupFields = new Set(['urgency', 'exploitation_forms', 'control_methods', 'recruitment_methods']);

/** The error summary links a checkbox or radio group to its first option. */
function firstControl(field: string): string {
  if (!groupFields.has(field)) return fieldId(field);
  const first = {
    urgency: urgencies[0],
    exploitation_forms: exploitationForms[0],
    control_methods: controlMethods[0],
    recruitment_methods: recruitmentMethods[0],
  }[field];
  return fieldId(field, first);
}

function DetailsForm({
  ctx,
  caseId,
  values,
  version,
  errors,
  csrfToken,
  submitLabel,
}: {
  ctx: PageContext;
  caseId: string;
  values: DetailsInput;
  version: number;
  errors: FieldErrors;
  csrfToken: string;
  submitLabel: string;
}) {
  const { t } = ctx;
  return (
    <form class="baken-form" method="post" action={ctx.href(`${casePath(caseId)}/bewerken`)} novalidate>
      <HiddenField name={CSRF_FIELD} value={csrfToken} />
      <HiddenField name="version" value={String(version)} />
      <TextInput
        name="title"
        label={t('cases.field.title')}
        hint={t('cases.edit.title_hint', { max: TITLE_MAX_CHARS })}
        value={values.title}
        maxLength={TITLE_MAX_CHARS}
        required
        error={errorFor(errors, 'title')}
      />
      <TextArea
        name="summary"
        label={t('cases.field.summary')}
        hint={t('cases.edit.summary_hint')}
        value={values.summary}
        maxLength={SUMMARY_MAX_CHARS}
        error={errorFor(errors, 'summary')}
      />
      <RadioGroup
        name="urgency"
        legend={t('cases.field.urgency')}
        options={options(ctx, 'urgency', urgencies)}
        value={values.urgency}
        error={errorFor(errors, 'urgency')}
      />
      <SelectField
        name="municipality"
        label={t('cases.field.municipality')}
        value={values.municipality}
        options={municipalityOptions(ctx)}
        error={errorFor(errors, 'municipality')}
      />
      <CheckboxGroup
        name="exploitation_forms"
        legend={t('cases.field.exploitation_forms')}
        options={options(ctx, 'form', exploitationForms)}
        values={values.exploitation_forms}
        error={errorFor(errors, 'exploitation_forms')}
      />
      <SelectField
        name="labour_industry"
        label={t('cases.field.labour_industry')}
        hint={t('cases.edit.labour_industry_hint')}
        placeholder={t('cases.none')}
        value={values.labour_industry ?? undefined}
        options={labourIndustries.map((s) => ({ value: s, label: `${s}: ${label(ctx, 'isic', s)}` }))}
        error={errorFor(errors, 'labour_industry')}
      />
      <CheckboxGroup
        name="control_methods"
        legend={t('cases.field.control_methods')}
        options={options(ctx, 'control', controlMethods)}
        values={values.control_methods}
        error={errorFor(errors, 'control_methods')}
      />
      <CheckboxGroup
        name="recruitment_methods"
        legend={t('cases.field.recruitment_methods')}
        options={options(ctx, 'recruitment', recruitmentMethods)}
        values={values.recruitment_methods}
        error={errorFor(errors, 'recruitment_methods')}
      />
      <SubmitButton>{submitLabel}</SubmitButton>
    </form>
  );
}

export function CaseEditPage({
  ctx,
  record,
  values,
  version,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  record: Pick<CaseRecord, 'id' | 'number'>;
  values: DetailsInput;
  version: number;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  const title = t('cases.edit.title', { number: record.number });
  return (
    <StaffLayout ctx={ctx} title={title} hasErrors={errors.length > 0}>
      <HeadingWithBackLink
        ctx={ctx}
        back={casePath(record.id)}
        backLabel={t('cases.back_to_case')}
        title={title}
      />
      <CaseSectionsNav ctx={ctx} caseId={record.id} current="edit" />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} firstControl={firstControl} />
      <DetailsForm
        ctx={ctx}
        caseId={record.id}
        values={values}
        version={version}
        errors={errors}
        csrfToken={csrfToken}
        submitLabel={t('cases.edit.submit')}
      />
    </StaffLayout>
  );
}

/** A field's value as text, for the side-by-side comparison. */
function shown(ctx: PageContext, field: keyof CaseDetails, values: DetailsInput): string {
  const value = values[field];
  switch (field) {
    case 'urgency':
      return typeof value === 'string' ? label(ctx, 'urgency', value) : ctx.t('cases.none');
    case 'municipality':
      return typeof value === 'string' ? municipalityName(ctx, value) : ctx.t('cases.none');
    case 'exploitation_forms':
      return labels(ctx, 'form', (value as string[] | undefined) ?? []);
    case 'control_methods':
      return labels(ctx, 'control', (value as string[] | undefined) ?? []);
    case 'recruitment_methods':
      return labels(ctx, 'recruitment', (value as string[] | undefined) ?? []);
    case 'labour_industry':
      return typeof value === 'string' ? label(ctx, 'isic', value) : ctx.t('cases.none');
    default:
      return typeof value === 'string' && value !== '' ? value : ctx.t('cases.none');
  }
}

/**
 * Someone saved the case after this person opened the form. Nothing of theirs was written, and
 * nothing is lost: both versions side by side, and their own values in a form based on the version
 * now saved, so submitting it again is a deliberate choice to overwrite.
 */
export function CaseConflictPage({
  ctx,
  current,
  typed,
  csrfToken,
}: {
  ctx: PageContext;
  current: CaseRecord;
  typed: DetailsInput;
  csrfToken: string;
}) {
  const { t } = ctx;
  const title = t('cases.conflict.title', { number: current.number });
  const head = 'utrecht-table__header-cell';
  const cell = 'utrecht-table__cell';
  return (
    <StaffLayout ctx={ctx} title={title}>
      <HeadingWithBackLink
        ctx={ctx}
        back={casePath(current.id)}
        backLabel={t('cases.back_to_case')}
        title={title}
      />
      <div class="utrecht-alert utrecht-alert--warning" role="alert" data-conflict="">
        <p class="utrecht-paragraph">{t('cases.conflict.explanation')}</p>
      </div>
      <table class="utrecht-table utrecht-table--html-table" data-conflict-table="">
        <caption class="utrecht-table__caption">{t('cases.conflict.caption')}</caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            <th class={head} scope="col">
              {t('cases.conflict.field')}
            </th>
            <th class={head} scope="col">
              {t('cases.conflict.saved')}
            </th>
            <th class={head} scope="col">
              {t('cases.conflict.yours')}
            </th>
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {detailFields.map((field) => {
            const saved = shown(ctx, field, current);
            const yours = shown(ctx, field, typed);
            return (
              <tr class="utrecht-table__row" key={field} data-conflict-field={field}>
                <th class={head} scope="row">
                  {t(`cases.field.${field}`)}
                  {saved !== yours ? <> ({t('cases.conflict.differs')})</> : null}
                </th>
                <td class={`${cell} baken-message__body`} data-saved="">
                  {saved}
                </td>
                <td class={`${cell} baken-message__body`} data-yours="">
                  {yours}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2 class="utrecht-heading-2">{t('cases.conflict.form_heading')}</h2>
      <p class="utrecht-paragraph">{t('cases.conflict.form_intro')}</p>
      <DetailsForm
        ctx={ctx}
        caseId={current.id}
        values={typed}
        version={current.version}
        errors={[]}
        csrfToken={csrfToken}
        submitLabel={t('cases.conflict.submit')}
      />
    </StaffLayout>
  );
}
