import type { PageContext } from '../../../web/page-context.ts';
import { HeadingWithBackLink } from '../../../web/components/page-heading.tsx';
import { StaffLayout } from '../../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  SubmitButton,
  TextArea,
  errorFor,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';
import { BREAK_GLASS_HOURS, BREAK_GLASS_REASON_MAX, breakGlassPath, casePath } from '../case-access.ts';
import type { AccessGrantRow } from '../case-queries.ts';
import { CASES_PATH } from './case-list.tsx';
import { formatDateTime } from './shared.tsx';

export const BREAK_GLASS_REASON_MIN = 10;
export const ACCESS_REVIEW_PATH = '/beheer/casussen/toegangscontrole';

/**
 * Opening a case that is not one's own: the page says only that a reason is needed and that it is
 * recorded. Nothing about the case (not even its number) is shown before the reason is given.
 */
export function BreakGlassPage({
  ctx,
  caseId,
  csrfToken,
  errors,
  reason,
}: {
  ctx: PageContext;
  caseId: string;
  csrfToken: string;
  errors: FieldErrors;
  reason: string | undefined;
}) {
  const { t } = ctx;
  const title = t('cases.break_glass.title');
  return (
    <StaffLayout ctx={ctx} title={title} hasErrors={errors.length > 0}>
      <HeadingWithBackLink ctx={ctx} back={CASES_PATH} backLabel={t('cases.back_to_list')} title={title} />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t('cases.break_glass.intro', { hours: BREAK_GLASS_HOURS })}</p>
      <form class="baken-form" method="post" action={ctx.href(breakGlassPath(caseId))} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextArea
          name="reason"
          label={t('cases.break_glass.reason')}
          hint={t('cases.break_glass.reason_hint', {
            min: BREAK_GLASS_REASON_MIN,
            max: BREAK_GLASS_REASON_MAX,
          })}
          rows={4}
          value={reason}
          maxLength={BREAK_GLASS_REASON_MAX}
          required
          error={errorFor(errors, 'reason')}
        />
        <SubmitButton>{t('cases.break_glass.submit')}</SubmitButton>
      </form>
    </StaffLayout>
  );
}

/** The coordinator's list of break-the-glass openings, unreviewed first. */
export function AccessReviewPage({
  ctx,
  grants,
  csrfToken,
  reviewed,
}: {
  ctx: PageContext;
  grants: AccessGrantRow[];
  csrfToken: string;
  reviewed: boolean;
}) {
  const { t } = ctx;
  const title = t('cases.access_review.title');
  const head = 'utrecht-table__header-cell';
  const cell = 'utrecht-table__cell';
  return (
    <StaffLayout ctx={ctx} title={title}>
      <HeadingWithBackLink ctx={ctx} back={CASES_PATH} backLabel={t('cases.back_to_list')} title={title} />
      {reviewed ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status">
          <p class="utrecht-paragraph">{t('cases.access_review.marked')}</p>
        </div>
      ) : null}
      <p class="utrecht-paragraph">{t('cases.access_review.intro')}</p>
      {grants.length === 0 ? (
        <p class="utrecht-paragraph">{t('cases.access_review.empty')}</p>
      ) : (
        <table class="utrecht-table utrecht-table--html-table" data-access-grants="">
          <caption class="utrecht-table__caption">{title}</caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              {['when', 'who', 'case', 'reason', 'review'].map((column) => (
                <th class={head} scope="col" key={column}>
                  {t(`cases.access.${column}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {grants.map((grant) => (
              <tr class="utrecht-table__row" key={grant.id} data-grant-id={grant.id}>
                <td class={cell}>{formatDateTime(ctx, grant.grantedAt)}</td>
                <td class={cell}>{grant.userName}</td>
                <td class={cell}>
                  <a class="utrecht-link" href={ctx.href(casePath(grant.caseId))}>
                    {grant.caseNumber}
                  </a>
                </td>
                <td class={`${cell} baken-message__body`}>{grant.reason}</td>
                <td class={cell}>
                  {grant.reviewedAt ? (
                    t('cases.access_review.reviewed_by', {
                      name: grant.reviewerName ?? t('cases.unknown_person'),
                      date: formatDateTime(ctx, grant.reviewedAt),
                    })
                  ) : (
                    <form method="post" action={ctx.href(`${ACCESS_REVIEW_PATH}/${grant.id}/gezien`)}>
                      <HiddenField name={CSRF_FIELD} value={csrfToken} />
                      <SubmitButton variant="secondary">
                        {t('cases.access_review.mark', { number: grant.caseNumber })}
                      </SubmitButton>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StaffLayout>
  );
}
