import type { ComponentChildren } from 'preact';
import { HeadingWithBackLink } from '../../web/components/page-heading.tsx';
import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  SelectField,
  SubmitButton,
  TextArea,
  errorFor,
  type FieldErrors,
  type Option,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { formatDate, formatDateTime } from '../../web/format.ts';
import { audiences, publicExploitationForms } from '../intake/report-form.ts';
import type { AttachmentFacts, InboxFilters, InboxRow, StaffReport } from './inbox-service.ts';
import { ReportCaseSection, type ReportCase } from '../cases/views/report-case.tsx';

/** The region's name for a CBS code, or the label of 'outside' and 'unknown'. */
export function municipalityName(ctx: PageContext, code: string): string {
  if (code === 'outside') return ctx.t('intake.municipality.outside', { region: ctx.region.name });
  if (code === 'unknown') return ctx.t('intake.municipality.unknown');
  return ctx.region.municipalities.find((m) => m.code === code)?.name ?? code;
}

const formsText = (ctx: PageContext, forms: readonly string[]) =>
  forms.map((form) => ctx.t(`inbox.form.${form}`)).join(', ');

/** The query string of the inbox for these filters (codes only), with an optional page cursor. */
export function inboxQuery(filters: InboxFilters, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters.audience) params.set('doelgroep', filters.audience);
  if (filters.form) params.set('vorm', filters.form);
  if (filters.municipality) params.set('gemeente', filters.municipality);
  if (filters.dangerFirst) params.set('volgorde', 'gevaar');
  if (cursor) params.set('vanaf', cursor);
  const query = params.toString();
  return query ? `?${query}` : '';
}

function FilterForm({ ctx, filters }: { ctx: PageContext; filters: InboxFilters }) {
  const { t } = ctx;
  const municipalities: Option[] = [
    ...ctx.region.municipalities.map((m) => ({ value: m.code, label: m.name })),
    { value: 'outside', label: municipalityName(ctx, 'outside') },
    { value: 'unknown', label: municipalityName(ctx, 'unknown') },
  ];
  return (
    <section aria-labelledby="filters-heading">
      <h2 class="utrecht-heading-2" id="filters-heading">
        {t('inbox.filters.heading')}
      </h2>
      <form class="baken-form" method="get" action={ctx.href('/beheer/meldingen')}>
        <SelectField
          name="doelgroep"
          label={t('inbox.filters.audience')}
          placeholder={t('inbox.filters.all')}
          value={filters.audience}
          options={audiences.map((a) => ({ value: a, label: t(`inbox.audience.${a}`) }))}
        />
        <SelectField
          name="vorm"
          label={t('inbox.filters.form')}
          placeholder={t('inbox.filters.all')}
          value={filters.form}
          options={publicExploitationForms.map((f) => ({ value: f, label: t(`inbox.form.${f}`) }))}
        />
        <SelectField
          name="gemeente"
          label={t('inbox.filters.municipality')}
          placeholder={t('inbox.filters.all')}
          value={filters.municipality}
          options={municipalities}
        />
        <SelectField
          name="volgorde"
          label={t('inbox.filters.order')}
          value={filters.dangerFirst ? 'gevaar' : 'nieuw'}
          options={[
            { value: 'nieuw', label: t('inbox.filters.order_newest') },
            { value: 'gevaar', label: t('inbox.filters.order_danger') },
          ]}
        />
        <SubmitButton>{t('inbox.filters.submit')}</SubmitButton>
      </form>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer/meldingen')}>
          {t('inbox.filters.reset')}
        </a>
      </p>
    </section>
  );
}

function Deadline({ ctx, row }: { ctx: PageContext; row: InboxRow }) {
  const { t } = ctx;
  if (row.firstReplyAt) {
    return <span data-answered="">{t('inbox.answered', { date: formatDate(ctx, row.firstReplyAt) })}</span>;
  }
  return (
    <>
      {formatDate(ctx, row.acknowledgeBy)}
      {row.overdue ? (
        <>
          {' '}
          <strong class="baken-overdue" data-overdue="">
            {t('inbox.overdue')}
          </strong>
        </>
      ) : null}
    </>
  );
}

/** The list: facts only. No narrative and no contact data, which are read (and audited) per report. */
export function InboxPage({
  ctx,
  rows,
  filters,
  nextHref,
  isLaterPage,
}: {
  ctx: PageContext;
  rows: InboxRow[];
  filters: InboxFilters;
  nextHref: string | undefined;
  isLaterPage: boolean;
}) {
  const { t } = ctx;
  const cell = 'utrecht-table__cell';
  const headerCell = 'utrecht-table__header-cell';
  return (
    <StaffLayout ctx={ctx} title={t('inbox.title')}>
      <HeadingWithBackLink
        ctx={ctx}
        back={'/beheer'}
        backLabel={t('inbox.back_home')}
        title={t('inbox.title')}
      />
      <p class="utrecht-paragraph">{t('inbox.intro')}</p>
      <FilterForm ctx={ctx} filters={filters} />
      {rows.length === 0 ? (
        <p class="utrecht-paragraph" data-inbox-empty="">
          {t('inbox.empty')}
        </p>
      ) : (
        <table class="utrecht-table utrecht-table--html-table" data-inbox="">
          <caption class="utrecht-table__caption">{t('inbox.table.caption')}</caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              <th class={headerCell} scope="col">
                {t('inbox.table.received')}
              </th>
              <th class={headerCell} scope="col">
                {t('inbox.table.danger')}
              </th>
              <th class={headerCell} scope="col">
                {t('inbox.table.audience')}
              </th>
              <th class={headerCell} scope="col">
                {t('inbox.table.forms')}
              </th>
              <th class={headerCell} scope="col">
                {t('inbox.table.municipality')}
              </th>
              <th class={headerCell} scope="col">
                {t('inbox.table.unread')}
              </th>
              <th class={headerCell} scope="col">
                {t('inbox.table.deadline')}
              </th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {rows.map((row) => (
              <tr
                class="utrecht-table__row"
                key={row.id}
                data-report-id={row.id}
                data-unread={String(row.unreadFromReporter)}
              >
                <th class={headerCell} scope="row">
                  <a class="utrecht-link" href={ctx.href(`/beheer/meldingen/${row.id}`)}>
                    {formatDateTime(ctx, row.receivedAt)}
                  </a>
                </th>
                <td class={cell}>
                  {row.acuteDanger ? (
                    <strong class="baken-danger" data-acute-danger="">
                      {t('inbox.danger_badge')}
                    </strong>
                  ) : (
                    t('inbox.no_danger')
                  )}
                </td>
                <td class={cell}>{t(`inbox.audience.${row.audience}`)}</td>
                <td class={cell}>{formsText(ctx, row.exploitationForms)}</td>
                <td class={cell}>{municipalityName(ctx, row.municipality)}</td>
                <td class={cell}>
                  {row.unreadFromReporter > 0 ? (
                    <strong>{t('inbox.unread', { count: row.unreadFromReporter })}</strong>
                  ) : (
                    t('inbox.unread', { count: 0 })
                  )}
                </td>
                <td class={cell}>
                  <Deadline ctx={ctx} row={row} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextHref || isLaterPage ? (
        <nav class="baken-pagination">
          {nextHref ? (
            <p class="utrecht-paragraph">
              <a class="utrecht-link" href={nextHref} rel="next" data-next-page="">
                {t('inbox.next_page', { count: rows.length })}
              </a>
            </p>
          ) : null}
          {isLaterPage ? (
            <p class="utrecht-paragraph">
              <a class="utrecht-link" href={`${ctx.href('/beheer/meldingen')}${inboxQuery(filters)}`}>
                {t('inbox.first_page')}
              </a>
            </p>
          ) : null}
        </nav>
      ) : null}
    </StaffLayout>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function AttachmentList({ ctx, files }: { ctx: PageContext; files: AttachmentFacts[] }) {
  return (
    <>
      <p class="utrecht-paragraph baken-muted">
        {ctx.t('inbox.report.attachments', { count: files.length })}
      </p>
      {files.length > 0 ? (
        <ul class="utrecht-unordered-list" data-attachments="">
          {files.map((file, index) => (
            <li class="utrecht-unordered-list__item" key={index}>
              {ctx.t('inbox.report.attachment', {
                type: file.mediaType,
                size: Math.max(1, Math.round(file.sizeBytes / 1024)),
              })}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

/** One report with its narrative, decrypted contact data, files (facts only), thread and reply form. */
export function ReportPage({
  ctx,
  report,
  errors,
  values,
  csrfToken,
  sent,
  maxReplyChars,
  reportCase,
}: {
  ctx: PageContext;
  report: StaffReport;
  errors: FieldErrors;
  values: { body?: string | undefined };
  csrfToken: string;
  sent: boolean;
  maxReplyChars: number;
  /** The report's case, for those who may make cases; absent for everyone else. */
  reportCase?: ReportCase | undefined;
}) {
  const { t } = ctx;
  const notGiven = t('inbox.report.not_given');
  const { contact } = report;
  const title = t('inbox.report.title', { date: formatDateTime(ctx, report.receivedAt) });
  return (
    <StaffLayout ctx={ctx} title={title} hasErrors={errors.length > 0}>
      <HeadingWithBackLink
        ctx={ctx}
        back={'/beheer/meldingen'}
        backLabel={t('inbox.report.back')}
        title={title}
      />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      {sent ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status">
          <p class="utrecht-paragraph">{t('inbox.reply.sent')}</p>
        </div>
      ) : null}
      {report.acuteDanger ? (
        <div class="utrecht-alert utrecht-alert--warning" data-acute-danger="">
          <p class="utrecht-paragraph">
            <strong>{t('inbox.danger_badge')}</strong>
          </p>
        </div>
      ) : null}

      <section aria-labelledby="facts-heading">
        <h2 class="utrecht-heading-2" id="facts-heading">
          {t('inbox.report.facts_heading')}
        </h2>
        <dl class="baken-facts">
          <Fact label={t('inbox.report.received')}>{formatDateTime(ctx, report.receivedAt)}</Fact>
          <Fact label={t('inbox.report.deadline')}>{formatDate(ctx, report.acknowledgeBy)}</Fact>
          <Fact label={t('inbox.report.status')}>{t(`inbox.status.${report.status}`)}</Fact>
          <Fact label={t('inbox.report.language')}>{t(`common.language.${report.language}`)}</Fact>
          <Fact label={t('inbox.report.audience')}>{t(`inbox.audience.${report.audience}`)}</Fact>
          {report.professionalOrgType ? (
            <Fact label={t('inbox.report.org_type')}>
              {t(`intake.org_type.${report.professionalOrgType}`)}
            </Fact>
          ) : null}
          <Fact label={t('inbox.report.forms')}>{formsText(ctx, report.exploitationForms)}</Fact>
          <Fact label={t('inbox.report.municipality')}>{municipalityName(ctx, report.municipality)}</Fact>
          <Fact label={t('inbox.report.danger')}>
            {report.acuteDanger ? t('common.yes') : t('common.no')}
          </Fact>
          <Fact label={t('inbox.report.reply_channel')}>
            {t(`inbox.reply_channel.${report.replyChannel}`)}
          </Fact>
          <Fact label={t('inbox.report.consent')}>{report.consentVersion}</Fact>
        </dl>
      </section>

      {reportCase ? (
        <ReportCaseSection ctx={ctx} reportId={report.id} reportCase={reportCase} csrfToken={csrfToken} />
      ) : null}

      <section aria-labelledby="narrative-heading">
        <h2 class="utrecht-heading-2" id="narrative-heading">
          {t('inbox.report.narrative_heading')}
        </h2>
        <p class="utrecht-paragraph baken-message__body" data-narrative="">
          {report.narrative}
        </p>
      </section>

      <section aria-labelledby="contact-heading">
        <h2 class="utrecht-heading-2" id="contact-heading">
          {t('inbox.report.contact_heading')}
        </h2>
        <dl class="baken-facts" data-contact="">
          <Fact label={t('inbox.report.contact_name')}>{contact.name ?? notGiven}</Fact>
          <Fact label={t('inbox.report.contact_email')}>{contact.email ?? notGiven}</Fact>
          <Fact label={t('inbox.report.contact_phone')}>{contact.phone ?? notGiven}</Fact>
          <Fact label={t('inbox.report.safe_contact_hints')}>{contact.safeContactHints ?? notGiven}</Fact>
          <Fact label={t('inbox.report.may_leave_message')}>
            {contact.mayLeaveMessage === null
              ? notGiven
              : contact.mayLeaveMessage
                ? t('common.yes')
                : t('common.no')}
          </Fact>
        </dl>
      </section>

      <section aria-labelledby="attachments-heading">
        <h2 class="utrecht-heading-2" id="attachments-heading">
          {t('inbox.report.attachments_heading')}
        </h2>
        <AttachmentList ctx={ctx} files={report.attachments} />
      </section>

      <section aria-labelledby="thread-heading">
        <h2 class="utrecht-heading-2" id="thread-heading">
          {t('inbox.report.thread_heading')}
        </h2>
        {report.messages.length === 0 ? (
          <p class="utrecht-paragraph">{t('inbox.report.no_messages')}</p>
        ) : (
          <ol class="baken-thread">
            {report.messages.map((message) => {
              const date = formatDateTime(ctx, message.createdAt);
              const heading =
                message.direction === 'from_reporter'
                  ? t('inbox.report.from_reporter', { date })
                  : message.authorName
                    ? t('inbox.report.from_centre_by', { name: message.authorName, date })
                    : t('inbox.report.from_centre', { date });
              return (
                <li
                  key={message.id}
                  class={`baken-message baken-message--${message.direction === 'from_centre' ? 'centre' : 'reporter'}`}
                  data-message-direction={message.direction}
                >
                  <h3 class="utrecht-heading-3">
                    {heading}
                    {message.wasUnread ? <> ({t('inbox.report.new_message')})</> : null}
                  </h3>
                  <p class="utrecht-paragraph baken-message__body">{message.body}</p>
                  {message.attachments.length > 0 ? (
                    <AttachmentList ctx={ctx} files={message.attachments} />
                  ) : null}
                </li>
              );
            })}
          </ol>
        )}
      </section>

      <section aria-labelledby="reply-heading">
        <h2 class="utrecht-heading-2" id="reply-heading">
          {t('inbox.reply.heading')}
        </h2>
        <form
          class="baken-form"
          method="post"
          action={ctx.href(`/beheer/meldingen/${report.id}/antwoord`)}
          novalidate
        >
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <TextArea
            name="body"
            label={t('inbox.reply.label')}
            hint={t('inbox.reply.hint', { max: maxReplyChars })}
            value={values.body}
            maxLength={maxReplyChars}
            required
            error={errorFor(errors, 'body')}
          />
          <SubmitButton>{t('inbox.reply.submit')}</SubmitButton>
        </form>
      </section>
    </StaffLayout>
  );
}
