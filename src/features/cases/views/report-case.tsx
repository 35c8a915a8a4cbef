import type { PageContext } from '../../../web/page-context.ts';
import { HeadingWithBackLink } from '../../../web/components/page-heading.tsx';
import { StaffLayout } from '../../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  SubmitButton,
  TextInput,
  errorFor,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';
import { casePath } from '../case-access.ts';
import { TITLE_MAX_CHARS } from './case-edit.tsx';

export const createCasePath = (reportId: string) => `/beheer/meldingen/${reportId}/casus`;
export const linkCasePath = (reportId: string) => `/beheer/meldingen/${reportId}/koppelen`;

/** What the report page knows about the report's case, for the section below. */
export type ReportCase = { linked: { id: string; number: string } } | { linked: undefined };

function CaseForms({
  ctx,
  reportId,
  csrfToken,
  errors,
  values,
  level,
}: {
  ctx: PageContext;
  reportId: string;
  csrfToken: string;
  errors: FieldErrors;
  values: { title?: string | undefined; case_number?: string | undefined };
  /** 3 inside the report page's section, 2 on a page of their own. */
  level: 2 | 3;
}) {
  const { t } = ctx;
  const Heading = ({ text }: { text: string }) =>
    level === 2 ? <h2 class="utrecht-heading-2">{text}</h2> : <h3 class="utrecht-heading-3">{text}</h3>;
  return (
    <>
      <form class="baken-form" method="post" action={ctx.href(createCasePath(reportId))} novalidate>
        <Heading text={t('cases.from_report.create_heading')} />
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextInput
          name="title"
          label={t('cases.field.title')}
          hint={t('cases.edit.title_hint', { max: TITLE_MAX_CHARS })}
          value={values.title}
          maxLength={TITLE_MAX_CHARS}
          required
          error={errorFor(errors, 'title')}
        />
        <SubmitButton>{t('cases.from_report.create_submit')}</SubmitButton>
      </form>
      <form class="baken-form" method="post" action={ctx.href(linkCasePath(reportId))} novalidate>
        <Heading text={t('cases.from_report.link_heading')} />
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextInput
          name="case_number"
          label={t('cases.from_report.case_number')}
          hint={t('cases.from_report.case_number_hint')}
          value={values.case_number}
          maxLength={20}
          required
          error={errorFor(errors, 'case_number')}
        />
        <SubmitButton variant="secondary">{t('cases.from_report.link_submit')}</SubmitButton>
      </form>
    </>
  );
}

/** The report page's section: the report's case, or the two ways to put the report in one. */
export function ReportCaseSection({
  ctx,
  reportId,
  reportCase,
  csrfToken,
}: {
  ctx: PageContext;
  reportId: string;
  reportCase: ReportCase;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <section aria-labelledby="report-case-heading" data-report-case="">
      <h2 class="utrecht-heading-2" id="report-case-heading">
        {t('cases.from_report.heading')}
      </h2>
      {reportCase.linked ? (
        <p class="utrecht-paragraph">
          {t('cases.from_report.in_case')}{' '}
          <a class="utrecht-link" href={ctx.href(casePath(reportCase.linked.id))} data-report-case-link="">
            {t('cases.from_report.case_link', { number: reportCase.linked.number })}
          </a>
        </p>
      ) : (
        <CaseForms ctx={ctx} reportId={reportId} csrfToken={csrfToken} errors={[]} values={{}} level={3} />
      )}
    </section>
  );
}

/** The same two forms on a page of their own, when what was sent needs correcting. */
export function ReportCaseFormPage({
  ctx,
  reportId,
  csrfToken,
  errors,
  values,
}: {
  ctx: PageContext;
  reportId: string;
  csrfToken: string;
  errors: FieldErrors;
  values: { title?: string | undefined; case_number?: string | undefined };
}) {
  const { t } = ctx;
  const title = t('cases.from_report.heading');
  return (
    <StaffLayout ctx={ctx} title={title} hasErrors={errors.length > 0}>
      <HeadingWithBackLink
        ctx={ctx}
        back={`/beheer/meldingen/${reportId}`}
        backLabel={t('cases.from_report.back')}
        title={title}
      />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <CaseForms
        ctx={ctx}
        reportId={reportId}
        csrfToken={csrfToken}
        errors={errors}
        values={values}
        level={2}
      />
    </StaffLayout>
  );
}
