import type { PageContext } from '../../../web/page-context.ts';
import { HeadingWithBackLink } from '../../../web/components/page-heading.tsx';
import { CaseSectionsNav } from './case-sections-nav.tsx';
import { StaffLayout } from '../../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  RadioGroup,
  SelectField,
  SubmitButton,
  TextArea,
  errorFor,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';
import type { CaseStatus } from '../../../db/schema.ts';
import { closureReasons } from '../codes.ts';
import { casePath } from '../case-access.ts';
import type { CaseMessage, CaseRecord, CaseView, TimelineEntry } from '../case-service.ts';
import { CASES_PATH } from './case-list.tsx';
import { Fact, Notice, formatDateTime, label, labels, municipalityName } from './shared.tsx';
import { LegalHoldSection, legalHoldEventText } from '../../retention/hold-link.tsx';
import { subjectRightsEventText } from '../../subject-rights/timeline.ts';

export const NOTE_MAX_CHARS = 10_000;
export const CLOSURE_NOTE_MAX_CHARS = 2_000;

/** What the signed-in person may do here; decided by the route with `can()`. */
export interface CaseAbilities {
  edit: boolean;
  requestClosure: boolean;
  decideClosure: boolean;
  assign: boolean;
  reviewAccess: boolean;
}

export interface AccessLogRow {
  at: Date;
  actorName: string | null;
  action: string;
  reason: string | null;
}

export interface CasePageProps {
  ctx: PageContext;
  view: CaseView;
  csrfToken: string;
  abilities: CaseAbilities;
  moves: readonly CaseStatus[];
  assignment: { advisors: { id: string; name: string }[]; teams: { id: string; name: string }[] } | undefined;
  accessLog: AccessLogRow[] | undefined;
  errors: FieldErrors;
  values: Record<string, string | undefined>;
  /** A message key confirming what was just done. */
  notice?: string | undefined;
}

const action = (ctx: PageContext, caseId: string, sub: string) => ctx.href(`${casePath(caseId)}/${sub}`);

function Facts({ ctx, record }: { ctx: PageContext; record: CaseRecord }) {
  const { t } = ctx;
  return (
    <section aria-labelledby="case-facts-heading">
      <h2 class="utrecht-heading-2" id="case-facts-heading">
        {t('cases.page.facts')}
      </h2>
      <dl class="baken-facts" data-case-facts="">
        <Fact label={t('cases.field.number')}>{record.number}</Fact>
        <Fact label={t('cases.field.status')}>
          <span data-case-status={record.status}>{label(ctx, 'status', record.status)}</span>
        </Fact>
        <Fact label={t('cases.field.urgency')}>{label(ctx, 'urgency', record.urgency)}</Fact>
        <Fact label={t('cases.field.municipality')}>{municipalityName(ctx, record.municipality)}</Fact>
        <Fact label={t('cases.field.exploitation_forms')}>
          {labels(ctx, 'form', record.exploitation_forms)}
        </Fact>
        {record.exploitation_forms.includes('labour') ? (
          <Fact label={t('cases.field.labour_industry')}>
            {record.labour_industry ? label(ctx, 'isic', record.labour_industry) : t('cases.none')}
          </Fact>
        ) : null}
        <Fact label={t('cases.field.control_methods')}>{labels(ctx, 'control', record.control_methods)}</Fact>
        <Fact label={t('cases.field.recruitment_methods')}>
          {labels(ctx, 'recruitment', record.recruitment_methods)}
        </Fact>
        <Fact label={t('cases.field.assigned')}>{record.assignedName ?? t('cases.unassigned')}</Fact>
        <Fact label={t('cases.field.team')}>{record.teamName ?? t('cases.no_team')}</Fact>
        <Fact label={t('cases.field.created')}>{formatDateTime(ctx, record.createdAt)}</Fact>
        {record.closedAt ? (
          <Fact label={t('cases.field.closed')}>
            {formatDateTime(ctx, record.closedAt)}
            {record.closureReason ? ` (${label(ctx, 'closure', record.closureReason)})` : ''}
          </Fact>
        ) : null}
      </dl>
    </section>
  );
}

function StatusSection(props: CasePageProps) {
  const { ctx, view, csrfToken, abilities, moves, errors, values } = props;
  const { t } = ctx;
  const { record } = view;
  const pending = record.closureRequestedAt !== null && record.status !== 'closed';
  const reasonOptions = closureReasons.map((r) => ({ value: r, label: label(ctx, 'closure', r) }));
  return (
    <section aria-labelledby="case-status-heading">
      <h2 class="utrecht-heading-2" id="case-status-heading">
        {t('cases.page.status')}
      </h2>
      <p class="utrecht-paragraph">
        {t('cases.page.status_now', { status: label(ctx, 'status', record.status) })}
      </p>
      {pending ? (
        <div class="utrecht-alert utrecht-alert--warning" data-closure-request="">
          <p class="utrecht-paragraph">
            {t('cases.page.closure_requested', {
              name: record.closureRequestedBy ?? t('cases.unknown_person'),
              date: formatDateTime(ctx, record.closureRequestedAt ?? record.updatedAt),
              reason: record.closureReason ? label(ctx, 'closure', record.closureReason) : '',
            })}
          </p>
          {record.closureNote ? (
            <p class="utrecht-paragraph baken-message__body">{record.closureNote}</p>
          ) : null}
        </div>
      ) : null}
      {abilities.edit && moves.length > 0 ? (
        <form class="baken-form" method="post" action={action(ctx, record.id, 'status')} novalidate>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <SelectField
            name="to"
            label={t('cases.page.move_label')}
            options={moves.map((s) => ({ value: s, label: label(ctx, 'status', s) }))}
            error={errorFor(errors, 'to')}
          />
          <SubmitButton variant="secondary">{t('cases.page.move_submit')}</SubmitButton>
        </form>
      ) : null}
      {pending && abilities.decideClosure ? (
        <form class="baken-form" method="post" action={action(ctx, record.id, 'afsluiten')} novalidate>
          <h3 class="utrecht-heading-3">{t('cases.page.decide_heading')}</h3>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <TextArea
            name="decision_note"
            label={t('cases.page.decision_note')}
            hint={t('cases.page.decision_note_hint')}
            rows={3}
            value={values.decision_note}
            maxLength={CLOSURE_NOTE_MAX_CHARS}
            error={errorFor(errors, 'decision_note')}
          />
          <SubmitButton name="decision" value="approve">
            {t('cases.page.approve')}
          </SubmitButton>{' '}
          <SubmitButton name="decision" value="reject" variant="secondary">
            {t('cases.page.reject')}
          </SubmitButton>
        </form>
      ) : null}
      {!pending && record.status !== 'closed' && (abilities.requestClosure || abilities.decideClosure) ? (
        <form class="baken-form" method="post" action={action(ctx, record.id, 'afsluiten')} novalidate>
          <h3 class="utrecht-heading-3">
            {abilities.decideClosure ? t('cases.page.close_heading') : t('cases.page.request_heading')}
          </h3>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <HiddenField name="decision" value={abilities.decideClosure ? 'close' : 'request'} />
          <RadioGroup
            name="closure_reason"
            legend={t('cases.field.closure_reason')}
            options={reasonOptions}
            value={values.closure_reason}
            error={errorFor(errors, 'closure_reason')}
          />
          <TextArea
            name="closure_note"
            label={t('cases.field.closure_note')}
            rows={3}
            value={values.closure_note}
            maxLength={CLOSURE_NOTE_MAX_CHARS}
            error={errorFor(errors, 'closure_note')}
          />
          <SubmitButton variant="secondary">
            {abilities.decideClosure ? t('cases.page.close_submit') : t('cases.page.request_submit')}
          </SubmitButton>
        </form>
      ) : null}
      {record.status === 'closed' && abilities.decideClosure ? (
        <form class="baken-form" method="post" action={action(ctx, record.id, 'afsluiten')}>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <SubmitButton name="decision" value="reopen" variant="secondary">
            {t('cases.page.reopen')}
          </SubmitButton>
        </form>
      ) : null}
    </section>
  );
}

function AssignmentSection({ ctx, view, csrfToken, assignment, errors }: CasePageProps) {
  if (!assignment) return null;
  const { t } = ctx;
  const { record } = view;
  return (
    <section aria-labelledby="case-assign-heading">
      <h2 class="utrecht-heading-2" id="case-assign-heading">
        {t('cases.page.assign_heading')}
      </h2>
      <form class="baken-form" method="post" action={action(ctx, record.id, 'toewijzen')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <SelectField
          name="assigned_user_id"
          label={t('cases.field.assigned')}
          placeholder={t('cases.unassigned')}
          value={record.assignedUserId ?? undefined}
          options={assignment.advisors.map((a) => ({ value: a.id, label: a.name }))}
          error={errorFor(errors, 'assigned_user_id')}
        />
        <SelectField
          name="team_id"
          label={t('cases.field.team')}
          placeholder={t('cases.no_team')}
          value={record.teamId ?? undefined}
          options={assignment.teams.map((team) => ({ value: team.id, label: team.name }))}
          error={errorFor(errors, 'team_id')}
        />
        <SubmitButton variant="secondary">{t('cases.page.assign_submit')}</SubmitButton>
      </form>
    </section>
  );
}

function Thread({ ctx, messages }: { ctx: PageContext; messages: CaseMessage[] }) {
  const { t } = ctx;
  if (messages.length === 0) return <p class="utrecht-paragraph">{t('cases.page.no_messages')}</p>;
  return (
    <ol class="baken-thread" data-case-thread="">
      {messages.map((message) => {
        const date = formatDateTime(ctx, message.createdAt);
        const fromCentre = message.direction === 'from_centre';
        return (
          <li
            key={message.id}
            class={`baken-message baken-message--${fromCentre ? 'centre' : 'reporter'}`}
            data-message-direction={message.direction}
          >
            <h4 class="utrecht-heading-4">
              {fromCentre
                ? t('cases.page.from_centre', { name: message.authorName ?? t('cases.unknown_person'), date })
                : t('cases.page.from_reporter', { date })}
            </h4>
            <p class="utrecht-paragraph baken-message__body">{message.body}</p>
          </li>
        );
      })}
    </ol>
  );
}

function ReportsSection({ ctx, view, csrfToken, abilities, errors, values }: CasePageProps) {
  const { t } = ctx;
  const { record, reports, messages } = view;
  return (
    <section aria-labelledby="case-reports-heading">
      <h2 class="utrecht-heading-2" id="case-reports-heading">
        {t('cases.page.reports')}
      </h2>
      {reports.length === 0 ? <p class="utrecht-paragraph">{t('cases.page.no_reports')}</p> : null}
      {reports.map((report) => (
        <article key={report.id} class="baken-section" data-linked-report={report.id}>
          <h3 class="utrecht-heading-3">
            <a class="utrecht-link" href={ctx.href(`/beheer/meldingen/${report.id}`)}>
              {t('cases.page.report_of', { date: formatDateTime(ctx, report.receivedAt) })}
            </a>
          </h3>
          <p class="utrecht-paragraph">
            {t('cases.page.reply_channel', { channel: t(`inbox.reply_channel.${report.replyChannel}`) })}
          </p>
          <Thread ctx={ctx} messages={messages.filter((m) => m.reportId === report.id)} />
        </article>
      ))}
      {abilities.edit && reports.length > 0 ? (
        <form class="baken-form" method="post" action={action(ctx, record.id, 'antwoord')} novalidate>
          <h3 class="utrecht-heading-3">{t('cases.page.reply_heading')}</h3>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          {reports.length > 1 ? (
            <SelectField
              name="report_id"
              label={t('cases.page.reply_to')}
              value={values.report_id}
              options={reports.map((r) => ({
                value: r.id,
                label: t('cases.page.report_of', { date: formatDateTime(ctx, r.receivedAt) }),
              }))}
            />
          ) : (
            <HiddenField name="report_id" value={reports[0]?.id ?? ''} />
          )}
          <TextArea
            name="reply_body"
            label={t('cases.page.reply_label')}
            hint={t('cases.page.reply_hint')}
            value={values.reply_body}
            maxLength={NOTE_MAX_CHARS}
            required
            error={errorFor(errors, 'reply_body')}
          />
          <SubmitButton>{t('cases.page.reply_submit')}</SubmitButton>
        </form>
      ) : null}
    </section>
  );
}

const knownEvents = new Set([
  'created',
  'report_linked',
  'status',
  'closure_requested',
  'closure_rejected',
  'updated',
  'assigned',
]);

function eventText(ctx: PageContext, entry: Extract<TimelineEntry, { kind: 'event' }>): string {
  const { t } = ctx;
  const d = entry.details;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  switch (entry.event) {
    case 'status':
      return t('cases.timeline.status', {
        from: label(ctx, 'status', text(d.from) || 'new'),
        to: label(ctx, 'status', text(d.to) || 'new'),
      });
    case 'closure_requested':
      return t('cases.timeline.closure_requested', {
        reason: label(ctx, 'closure', text(d.reason) || 'other'),
      });
    case 'updated': {
      const fields = Array.isArray(d.fields)
        ? d.fields.filter((f): f is string => typeof f === 'string')
        : [];
      return t('cases.timeline.updated', {
        fields: fields.length ? fields.map((f) => t(`cases.field.${f}`)).join(', ') : t('cases.none'),
      });
    }
    default:
      if (knownEvents.has(entry.event)) return t(`cases.timeline.${entry.event}`);
      return (
        legalHoldEventText(ctx, entry.event) ??
        subjectRightsEventText(ctx, entry.event) ??
        t('cases.timeline.other')
      );
  }
}

function timelineText(ctx: PageContext, entry: TimelineEntry): string {
  const { t } = ctx;
  switch (entry.kind) {
    case 'event':
      return eventText(ctx, entry);
    case 'note':
      return t('cases.timeline.note');
    case 'message':
      return entry.direction === 'from_centre'
        ? t('cases.timeline.message_from_centre')
        : t('cases.timeline.message_from_reporter');
    case 'task_created':
      return t('cases.timeline.task_created', { title: entry.title });
    case 'task_done':
      return t('cases.timeline.task_done', { title: entry.title });
  }
}

function Timeline({ ctx, entries }: { ctx: PageContext; entries: TimelineEntry[] }) {
  const { t } = ctx;
  return (
    <section aria-labelledby="case-timeline-heading">
      <h2 class="utrecht-heading-2" id="case-timeline-heading">
        {t('cases.page.timeline')}
      </h2>
      <ol class="baken-timeline" data-timeline="">
        {entries.map((entry, index) => (
          <li key={index} class="baken-timeline__item" data-timeline-kind={entry.kind}>
            <p class="utrecht-paragraph">
              <strong>{timelineText(ctx, entry)}</strong>
              <br />
              <span class="baken-muted">
                {formatDateTime(ctx, entry.at)}
                {entry.actorName ? `, ${entry.actorName}` : ''}
              </span>
            </p>
            {entry.kind === 'note' ? <p class="utrecht-paragraph baken-message__body">{entry.body}</p> : null}
            {entry.kind === 'event' && typeof entry.details.note === 'string' ? (
              <p class="utrecht-paragraph baken-message__body">{entry.details.note}</p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function NoteForm({ ctx, view, csrfToken, errors, values }: CasePageProps) {
  const { t } = ctx;
  return (
    <section aria-labelledby="case-note-heading">
      <h2 class="utrecht-heading-2" id="case-note-heading">
        {t('cases.page.note_heading')}
      </h2>
      <form class="baken-form" method="post" action={action(ctx, view.record.id, 'notities')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextArea
          name="note"
          label={t('cases.page.note_label')}
          rows={4}
          value={values.note}
          maxLength={NOTE_MAX_CHARS}
          required
          error={errorFor(errors, 'note')}
        />
        <SubmitButton>{t('cases.page.note_submit')}</SubmitButton>
      </form>
    </section>
  );
}

function AccessLog({ ctx, rows }: { ctx: PageContext; rows: AccessLogRow[] }) {
  const { t } = ctx;
  const head = 'utrecht-table__header-cell';
  const cell = 'utrecht-table__cell';
  return (
    <section aria-labelledby="case-access-heading">
      <h2 class="utrecht-heading-2" id="case-access-heading">
        {t('cases.page.access_log')}
      </h2>
      <table class="utrecht-table utrecht-table--html-table" data-access-log="">
        <caption class="utrecht-table__caption">{t('cases.page.access_log_caption')}</caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            <th class={head} scope="col">
              {t('cases.access.when')}
            </th>
            <th class={head} scope="col">
              {t('cases.access.who')}
            </th>
            <th class={head} scope="col">
              {t('cases.access.what')}
            </th>
            <th class={head} scope="col">
              {t('cases.access.reason')}
            </th>
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {rows.map((row, index) => (
            <tr class="utrecht-table__row" key={index} data-access-action={row.action}>
              <td class={cell}>{formatDateTime(ctx, row.at)}</td>
              <td class={cell}>{row.actorName ?? t('cases.unknown_person')}</td>
              <td class={cell}>{row.action}</td>
              <td class={cell}>{row.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One case: facts, status and closure, assignment, reports with their threads, notes, timeline. */
export function CasePage(props: CasePageProps) {
  const { ctx, view, errors, notice, accessLog } = props;
  const { t } = ctx;
  const { record } = view;
  const title = t('cases.page.title', { number: record.number, title: record.title });
  return (
    <StaffLayout ctx={ctx} title={title} hasErrors={errors.length > 0}>
      <HeadingWithBackLink ctx={ctx} back={CASES_PATH} backLabel={t('cases.back_to_list')} title={title} />
      <CaseSectionsNav ctx={ctx} caseId={record.id} current="overview" />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      {notice ? <Notice>{t(notice)}</Notice> : null}
      <Facts ctx={ctx} record={record} />
      <section aria-labelledby="case-summary-heading">
        <h2 class="utrecht-heading-2" id="case-summary-heading">
          {t('cases.field.summary')}
        </h2>
        <p class="utrecht-paragraph baken-message__body" data-case-summary="">
          {record.summary || t('cases.page.no_summary')}
        </p>
      </section>
      <StatusSection {...props} />
      <AssignmentSection {...props} />
      <LegalHoldSection ctx={ctx} caseId={record.id} />
      <ReportsSection {...props} />
      <NoteForm {...props} />
      <Timeline ctx={ctx} entries={view.timeline} />
      {accessLog ? <AccessLog ctx={ctx} rows={accessLog} /> : null}
    </StaffLayout>
  );
}
