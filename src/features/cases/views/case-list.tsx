import type { PageContext } from '../../../web/page-context.ts';
import { HeadingWithBackLink } from '../../../web/components/page-heading.tsx';
import { StaffLayout } from '../../../web/components/staff-layout.tsx';
import { SelectField, SubmitButton } from '../../../web/components/form.tsx';
import { caseStatuses } from '../codes.ts';
import type { CaseListFilters, CaseListRow } from '../case-queries.ts';
import { casePath } from '../case-access.ts';
import { formatDateTime, label, municipalityName } from './shared.tsx';

export const CASES_PATH = '/beheer/casussen';
export const CLOSURE_QUEUE_PATH = '/beheer/casussen/afsluiten';

/** The query string of the list for these filters, with an optional page cursor. */
export function caseListQuery(filters: CaseListFilters, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.urgentFirst) params.set('volgorde', 'urgent');
  if (cursor) params.set('vanaf', cursor);
  const query = params.toString();
  return query ? `?${query}` : '';
}

function CaseTable({ ctx, rows, caption }: { ctx: PageContext; rows: CaseListRow[]; caption: string }) {
  const { t } = ctx;
  const cell = 'utrecht-table__cell';
  const head = 'utrecht-table__header-cell';
  return (
    <table class="utrecht-table utrecht-table--html-table" data-case-list="">
      <caption class="utrecht-table__caption">{caption}</caption>
      <thead class="utrecht-table__header">
        <tr class="utrecht-table__row">
          {['number', 'title', 'status', 'urgency', 'municipality', 'assigned', 'updated'].map((column) => (
            <th class={head} scope="col" key={column}>
              {t(`cases.list.column.${column}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody class="utrecht-table__body">
        {rows.map((row) => (
          <tr class="utrecht-table__row" key={row.id} data-case-id={row.id}>
            <th class={head} scope="row">
              <a class="utrecht-link" href={ctx.href(casePath(row.id))}>
                {row.number}
              </a>
            </th>
            <td class={cell}>{row.title}</td>
            <td class={cell}>
              {label(ctx, 'status', row.status)}
              {row.closurePending ? (
                <>
                  {' '}
                  <strong data-closure-pending="">{t('cases.list.closure_pending')}</strong>
                </>
              ) : null}
            </td>
            <td class={cell}>
              {row.urgency === 'acute' || row.urgency === 'high' ? (
                <strong>{label(ctx, 'urgency', row.urgency)}</strong>
              ) : (
                label(ctx, 'urgency', row.urgency)
              )}
              {row.overdueTasks > 0 ? (
                <>
                  {' '}
                  <strong class="baken-overdue" data-overdue="">
                    {t('cases.list.overdue_tasks', { count: row.overdueTasks })}
                  </strong>
                </>
              ) : null}
            </td>
            <td class={cell}>{municipalityName(ctx, row.municipality)}</td>
            <td class={cell}>
              {[row.assignedName, row.teamName].filter(Boolean).join(' / ') || t('cases.unassigned')}
            </td>
            <td class={cell}>{formatDateTime(ctx, row.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pagination({
  ctx,
  nextHref,
  firstHref,
  count,
}: {
  ctx: PageContext;
  nextHref: string | undefined;
  firstHref: string | undefined;
  count: number;
}) {
  if (!nextHref && !firstHref) return null;
  return (
    <nav class="baken-pagination" aria-label={ctx.t('cases.list.pagination')}>
      {nextHref ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={nextHref} rel="next" data-next-page="">
            {ctx.t('cases.list.next_page', { count })}
          </a>
        </p>
      ) : null}
      {firstHref ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={firstHref}>
            {ctx.t('cases.list.first_page')}
          </a>
        </p>
      ) : null}
    </nav>
  );
}

/** "My cases" for an advisor (assigned and team), all cases for a coordinator. */
export function CaseListPage({
  ctx,
  rows,
  filters,
  seesAll,
  nextHref,
  firstHref,
  closureQueueLink,
  accessReviewLink,
}: {
  ctx: PageContext;
  rows: CaseListRow[];
  filters: CaseListFilters;
  seesAll: boolean;
  nextHref: string | undefined;
  firstHref: string | undefined;
  closureQueueLink: boolean;
  accessReviewLink: boolean;
}) {
  const { t } = ctx;
  const title = seesAll ? t('cases.list.title_all') : t('cases.list.title_mine');
  return (
    <StaffLayout ctx={ctx} title={title}>
      <HeadingWithBackLink ctx={ctx} back={'/beheer'} backLabel={t('cases.back_home')} title={title} />
      <p class="utrecht-paragraph">{seesAll ? t('cases.list.intro_all') : t('cases.list.intro_mine')}</p>
      {closureQueueLink || accessReviewLink ? (
        <ul class="utrecht-link-list">
          {closureQueueLink ? (
            <li class="utrecht-link-list__item">
              <a class="utrecht-link" href={ctx.href(CLOSURE_QUEUE_PATH)} data-closure-queue-link="">
                {t('cases.closure_queue.title')}
              </a>
            </li>
          ) : null}
          {accessReviewLink ? (
            <li class="utrecht-link-list__item">
              <a
                class="utrecht-link"
                href={ctx.href('/beheer/casussen/toegangscontrole')}
                data-access-review-link=""
              >
                {t('cases.access_review.title')}
              </a>
            </li>
          ) : null}
        </ul>
      ) : null}
      <section aria-labelledby="case-filters-heading">
        <h2 class="utrecht-heading-2" id="case-filters-heading">
          {t('cases.list.filters')}
        </h2>
        <form class="baken-form" method="get" action={ctx.href(CASES_PATH)}>
          <SelectField
            name="status"
            label={t('cases.field.status')}
            placeholder={t('cases.list.all_statuses')}
            value={filters.status}
            options={caseStatuses.map((s) => ({ value: s, label: label(ctx, 'status', s) }))}
          />
          <SelectField
            name="volgorde"
            label={t('cases.list.order')}
            value={filters.urgentFirst ? 'urgent' : 'recent'}
            options={[
              { value: 'recent', label: t('cases.list.order_recent') },
              { value: 'urgent', label: t('cases.list.order_urgent') },
            ]}
          />
          <SubmitButton>{t('cases.list.filter_submit')}</SubmitButton>
        </form>
      </section>
      {rows.length === 0 ? (
        <p class="utrecht-paragraph" data-case-list-empty="">
          {t('cases.list.empty')}
        </p>
      ) : (
        <CaseTable ctx={ctx} rows={rows} caption={title} />
      )}
      <Pagination ctx={ctx} nextHref={nextHref} firstHref={firstHref} count={rows.length} />
    </StaffLayout>
  );
}

/** The coordinator's queue of closure requests. */
export function ClosureQueuePage({ ctx, rows }: { ctx: PageContext; rows: CaseListRow[] }) {
  const { t } = ctx;
  const title = t('cases.closure_queue.title');
  return (
    <StaffLayout ctx={ctx} title={title}>
      <HeadingWithBackLink ctx={ctx} back={CASES_PATH} backLabel={t('cases.back_to_list')} title={title} />
      <p class="utrecht-paragraph">{t('cases.closure_queue.intro')}</p>
      {rows.length === 0 ? (
        <p class="utrecht-paragraph" data-case-list-empty="">
          {t('cases.closure_queue.empty')}
        </p>
      ) : (
        <CaseTable ctx={ctx} rows={rows} caption={title} />
      )}
    </StaffLayout>
  );
}
