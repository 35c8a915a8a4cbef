import type { RetentionRules } from '../../config/config.ts';
import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import { HeadingWithBackLink } from '../../web/components/page-heading.tsx';
import {
  ErrorSummary,
  HiddenField,
  SubmitButton,
  TextArea,
  errorFor,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { formatDateTime } from '../../web/format.ts';
import { CaseSectionLayout } from '../cases/views/case-sections-nav.tsx';
import { HOLD_REASON_MAX, HOLD_REASON_MIN, type LegalHold } from './legal-hold.ts';
import { retentionCountKeys } from './retention-service.ts';
import type { RetentionRunRow } from './queries.ts';
import { legalHoldLiftPath, legalHoldPath } from './paths.ts';

const headerCell = 'utrecht-table__header-cell';
const cell = 'utrecht-table__cell';

function Rules({ ctx, rules }: { ctx: PageContext; rules: RetentionRules }) {
  const { t } = ctx;
  const rows: { key: string; value: string }[] = [
    { key: 'reports', value: t('retention.rules.months', { count: rules.reportMonths }) },
    { key: 'cases', value: t('retention.rules.years', { count: rules.caseYears }) },
    { key: 'attachments', value: t('retention.rules.with_record') },
    { key: 'audit', value: t('retention.rules.years', { count: rules.auditYears }) },
  ];
  return (
    <section aria-labelledby="retention-rules-heading">
      <h2 class="utrecht-heading-2" id="retention-rules-heading">
        {t('retention.rules.heading')}
      </h2>
      <table class="utrecht-table utrecht-table--html-table" data-retention-rules="">
        <caption class="utrecht-table__caption">{t('retention.rules.caption')}</caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            <th class={headerCell} scope="col">
              {t('retention.rules.kind')}
            </th>
            <th class={headerCell} scope="col">
              {t('retention.rules.period')}
            </th>
            <th class={headerCell} scope="col">
              {t('retention.rules.what')}
            </th>
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {rows.map((row) => (
            <tr class="utrecht-table__row" key={row.key} data-rule={row.key}>
              <th class={headerCell} scope="row">
                {t(`retention.rules.kind.${row.key}`)}
              </th>
              <td class={cell}>{row.value}</td>
              <td class={cell}>{t(`retention.rules.what.${row.key}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="utrecht-paragraph">{t('retention.rules.deleted_means')}</p>
    </section>
  );
}

/** The non-zero counts of a run, in words; every key is a number, never anything from a record. */
function RunCounts({ ctx, run }: { ctx: PageContext; run: RetentionRunRow }) {
  const { t } = ctx;
  if (!run.counts) return <>{t('retention.runs.no_counts')}</>;
  const counts = run.counts;
  const shown = retentionCountKeys.filter((key) => counts[key] > 0);
  if (shown.length === 0) return <>{t('retention.runs.nothing')}</>;
  return (
    <ul class="utrecht-unordered-list">
      {shown.map((key) => (
        <li class="utrecht-unordered-list__item" key={key} data-count={key}>
          {t(`retention.count.${key}`, { count: counts[key] })}
        </li>
      ))}
    </ul>
  );
}

function Runs({ ctx, runs }: { ctx: PageContext; runs: RetentionRunRow[] }) {
  const { t } = ctx;
  return (
    <section aria-labelledby="retention-runs-heading">
      <h2 class="utrecht-heading-2" id="retention-runs-heading">
        {t('retention.runs.heading')}
      </h2>
      {runs.length === 0 ? (
        <p class="utrecht-paragraph">{t('retention.runs.empty')}</p>
      ) : (
        <table class="utrecht-table utrecht-table--html-table" data-retention-runs="">
          <caption class="utrecht-table__caption">{t('retention.runs.caption')}</caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              <th class={headerCell} scope="col">
                {t('retention.runs.started')}
              </th>
              <th class={headerCell} scope="col">
                {t('retention.runs.finished')}
              </th>
              <th class={headerCell} scope="col">
                {t('retention.runs.counts')}
              </th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {runs.map((run) => (
              <tr class="utrecht-table__row" key={run.id} data-run-id={run.id}>
                <th class={headerCell} scope="row">
                  {formatDateTime(ctx, run.startedAt)}
                </th>
                <td class={cell}>
                  {run.finishedAt ? formatDateTime(ctx, run.finishedAt) : t('retention.runs.unfinished')}
                </td>
                <td class={cell}>
                  <RunCounts ctx={ctx} run={run} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The rules in force and the latest runs, counts only (administrators and coordinators). */
export function RetentionPage({
  ctx,
  rules,
  runs,
  heldCases,
}: {
  ctx: PageContext;
  rules: RetentionRules;
  runs: RetentionRunRow[];
  heldCases: number;
}) {
  const { t } = ctx;
  const title = t('retention.title');
  return (
    <StaffLayout ctx={ctx} title={title}>
      <HeadingWithBackLink ctx={ctx} back="/beheer" backLabel={t('retention.back_home')} title={title} />
      <p class="utrecht-paragraph">{t('retention.intro')}</p>
      <Rules ctx={ctx} rules={rules} />
      <section aria-labelledby="retention-holds-heading">
        <h2 class="utrecht-heading-2" id="retention-holds-heading">
          {t('retention.holds.heading')}
        </h2>
        <p class="utrecht-paragraph" data-held-cases={heldCases}>
          {t('retention.holds.count', { count: heldCases })}
        </p>
      </section>
      <Runs ctx={ctx} runs={runs} />
    </StaffLayout>
  );
}

/** One case's legal hold: its state, and the form to place or lift it (with a reason). */
export function LegalHoldPage({
  ctx,
  caseId,
  caseNumber,
  hold,
  csrfToken,
  errors,
  reason,
  notice,
}: {
  ctx: PageContext;
  caseId: string;
  caseNumber: string;
  hold: LegalHold | undefined;
  csrfToken: string;
  errors: FieldErrors;
  reason: string | undefined;
  notice: 'placed' | 'lifted' | undefined;
}) {
  const { t } = ctx;
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseId}
      caseNumber={caseNumber}
      section="overview"
      subtitle={t('retention.hold.title')}
      hasErrors={errors.length > 0}
    >
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      {notice ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status">
          <p class="utrecht-paragraph">{t(`retention.hold.notice.${notice}`)}</p>
        </div>
      ) : null}
      <p class="utrecht-paragraph">{t('retention.hold.intro')}</p>
      {hold ? (
        <div class="utrecht-alert utrecht-alert--warning" data-legal-hold="on">
          <p class="utrecht-paragraph">
            {t('retention.hold.current', {
              name: hold.placedByName ?? t('retention.hold.unknown_person'),
              date: formatDateTime(ctx, hold.placedAt),
            })}
          </p>
          <p class="utrecht-paragraph baken-message__body">{hold.reason}</p>
        </div>
      ) : (
        <p class="utrecht-paragraph" data-legal-hold="off">
          {t('retention.hold.none')}
        </p>
      )}
      <form
        class="baken-form"
        method="post"
        action={ctx.href(hold ? legalHoldLiftPath(caseId) : legalHoldPath(caseId))}
        novalidate
      >
        <h2 class="utrecht-heading-2">
          {t(hold ? 'retention.hold.lift_heading' : 'retention.hold.place_heading')}
        </h2>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextArea
          name="reason"
          label={t(hold ? 'retention.hold.lift_reason' : 'retention.hold.reason')}
          hint={t('retention.hold.reason_hint', { min: HOLD_REASON_MIN, max: HOLD_REASON_MAX })}
          rows={4}
          value={reason}
          maxLength={HOLD_REASON_MAX}
          required
          error={errorFor(errors, 'reason')}
        />
        <SubmitButton variant={hold ? 'secondary' : 'primary'}>
          {t(hold ? 'retention.hold.lift_submit' : 'retention.hold.place_submit')}
        </SubmitButton>
      </form>
    </CaseSectionLayout>
  );
}
