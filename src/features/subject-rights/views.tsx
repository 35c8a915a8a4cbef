import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../web/page-context.ts';
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
import type { CaseFacts } from '../case-sections/case-section.ts';
import { personsPath } from '../persons/views.tsx';
import type { Person } from '../persons/person-service.ts';
import type { ExportDocument } from './export-document.ts';
import { REASON_MAX, type EraseFormValues } from './erase-form.ts';

/** The rights page of one person and the pages under it. */
export const rightsPath = (caseId: string, personId: string, page?: 'inzage' | 'inzage/json' | 'wissen') =>
  `${personsPath(caseId)}/${personId}/rechten${page ? `/${page}` : ''}`;

/** How a person is named on these pages: their role and name (or "no name"). */
export const subjectTitle = (ctx: PageContext, person: Pick<Person, 'role' | 'name'>) =>
  `${ctx.t(`persons.role.${person.role}`)}: ${person.name ?? ctx.t('persons.no_name')}`;

function Paragraph({ children }: { children: ComponentChildren }) {
  return <p class="utrecht-paragraph">{children}</p>;
}

function Details({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="baken-details">
      {rows.map(([term, value]) => (
        <div class="baken-details__row" key={term}>
          <dt class="baken-details__term">{term}</dt>
          <dd class="baken-details__value">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What the two rights mean here, with the ways to act on them. */
export function RightsPage({
  ctx,
  caseFacts,
  person,
  csrfToken,
}: {
  ctx: PageContext;
  caseFacts: CaseFacts;
  person: Person;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseFacts.id}
      caseNumber={caseFacts.number}
      section="persons"
      subtitle={t('subject_rights.title')}
    >
      <Paragraph>
        <a class="utrecht-link" href={ctx.href(personsPath(caseFacts.id))}>
          {t('persons.back')}
        </a>
      </Paragraph>
      <Paragraph>
        <strong data-subject="">{t('subject_rights.person', { name: subjectTitle(ctx, person) })}</strong>
      </Paragraph>
      <Paragraph>{t('subject_rights.intro')}</Paragraph>
      <section aria-labelledby="rights-access" data-rights-access="">
        <h2 class="utrecht-heading-2" id="rights-access">
          {t('subject_rights.access.heading')}
        </h2>
        <Paragraph>{t('subject_rights.access.text')}</Paragraph>
        <Paragraph>{t('subject_rights.access.audited')}</Paragraph>
        <ul class="utrecht-link-list">
          <li class="utrecht-link-list__item">
            <a
              class="utrecht-link"
              href={ctx.href(rightsPath(caseFacts.id, person.id, 'inzage'))}
              data-export-html=""
            >
              {t('subject_rights.access.html_link')}
            </a>
          </li>
        </ul>
        <form
          class="baken-form"
          method="post"
          action={ctx.href(rightsPath(caseFacts.id, person.id, 'inzage/json'))}
          data-export-json=""
        >
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <SubmitButton variant="secondary">{t('subject_rights.access.json_button')}</SubmitButton>
        </form>
      </section>
      <section aria-labelledby="rights-erasure" data-rights-erasure="">
        <h2 class="utrecht-heading-2" id="rights-erasure">
          {t('subject_rights.erasure.heading')}
        </h2>
        <Paragraph>{t('subject_rights.erasure.text')}</Paragraph>
        <Paragraph>{t('subject_rights.erasure.limits')}</Paragraph>
        <Paragraph>
          <a
            class="utrecht-link"
            href={ctx.href(rightsPath(caseFacts.id, person.id, 'wissen'))}
            data-erase-link=""
          >
            {t('subject_rights.erasure.link', { name: subjectTitle(ctx, person) })}
          </a>
        </Paragraph>
      </section>
    </CaseSectionLayout>
  );
}

/** "Role: name" as the export's fields give them. */
const exportSubject = (ctx: PageContext, doc: ExportDocument) => {
  const text = (field: string) => doc.person.fields.find((f) => f.field === field);
  const name = text('name');
  return `${text('role')?.text ?? ''}: ${name?.value === null ? ctx.t('persons.no_name') : (name?.text ?? '')}`;
};

const when = (ctx: PageContext, at: string | null) => (at ? formatDateTime(ctx, new Date(at)) : '');

/** The readable export: meant to be printed or saved as PDF from the browser and handed over. */
export function ExportPage({
  ctx,
  caseId,
  personId,
  doc,
}: {
  ctx: PageContext;
  caseId: string;
  personId: string;
  doc: ExportDocument;
}) {
  const { t } = ctx;
  const headerCell = 'utrecht-table__header-cell';
  const cell = 'utrecht-table__cell';
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseId}
      caseNumber={doc.case.number}
      section="persons"
      subtitle={t('subject_rights.export.title')}
    >
      <Paragraph>
        <a class="utrecht-link" href={ctx.href(rightsPath(caseId, personId))}>
          {t('subject_rights.back')}
        </a>
      </Paragraph>
      {doc.thirdParty.handling === 'included' && (doc.thirdParty.count ?? 0) > 0 ? (
        // For the coordinator, before anything is handed over: kept out of the printable part below.
        <div class="utrecht-alert utrecht-alert--warning" role="note" data-third-party-warning="">
          <p class="utrecht-paragraph">
            <strong>{doc.thirdParty.note}</strong>
          </p>
        </div>
      ) : null}
      <div class="baken-subject-export" data-subject-export="">
        <Paragraph>
          <strong>{t('subject_rights.person', { name: exportSubject(ctx, doc) })}</strong>
        </Paragraph>
        <Paragraph>
          {t('subject_rights.export.intro', {
            organisation: doc.controller.name,
            date: when(ctx, doc.generatedAt),
          })}
        </Paragraph>
        <Paragraph>{t('subject_rights.export.print_hint')}</Paragraph>

        <section aria-labelledby="export-controller">
          <h2 class="utrecht-heading-2" id="export-controller">
            {t('subject_rights.export.controller')}
          </h2>
          <Details
            rows={[
              [t('subject_rights.export.organisation'), `${doc.controller.name} (${doc.controller.parent})`],
              [t('subject_rights.export.region'), doc.controller.region],
              [t('subject_rights.export.address'), doc.controller.address],
              [t('subject_rights.export.email'), doc.controller.email],
              [t('subject_rights.export.phone'), doc.controller.phone],
            ]}
          />
          <h3 class="utrecht-heading-3">{t('subject_rights.export.purposes')}</h3>
          <ul class="utrecht-unordered-list">
            {doc.processing.purposes.map((purpose) => (
              <li class="utrecht-unordered-list__item" key={purpose}>
                {purpose}
              </li>
            ))}
          </ul>
          <Details
            rows={[
              [t('subject_rights.export.legal_basis'), doc.processing.legalBasis],
              [t('subject_rights.export.retention'), doc.processing.retention],
              [t('subject_rights.export.recipients'), doc.processing.recipients],
              [t('subject_rights.export.rights'), doc.processing.rights],
            ]}
          />
        </section>

        <section aria-labelledby="export-person">
          <h2 class="utrecht-heading-2" id="export-person">
            {t('subject_rights.export.person')}
          </h2>
          <Details
            rows={[
              ...doc.person.fields.map((f): [string, ComponentChildren] => [
                f.label,
                <span class="baken-pre-line" data-field={f.field}>
                  {f.text}
                </span>,
              ]),
              [t('subject_rights.export.recorded_at'), when(ctx, doc.person.createdAt)],
              [t('subject_rights.export.changed_at'), when(ctx, doc.person.updatedAt)],
            ]}
          />
        </section>

        <section aria-labelledby="export-case">
          <h2 class="utrecht-heading-2" id="export-case">
            {t('subject_rights.export.case')}
          </h2>
          <Details
            rows={[
              [t('subject_rights.export.case_number'), doc.case.number],
              [t('subject_rights.export.case_status'), doc.case.status.label],
              [t('subject_rights.export.case_created'), when(ctx, doc.case.createdAt)],
              [t('subject_rights.export.case_changed'), when(ctx, doc.case.updatedAt)],
              [
                t('subject_rights.export.case_closed'),
                doc.case.closedAt ? when(ctx, doc.case.closedAt) : t('subject_rights.export.not_closed'),
              ],
              [
                t('subject_rights.export.forms'),
                doc.case.exploitationForms.length > 0
                  ? doc.case.exploitationForms.map((f) => f.label).join(', ')
                  : t('subject_rights.not_filled_in'),
              ],
              [t('subject_rights.export.municipality'), doc.case.municipality.label],
            ]}
          />
        </section>

        <section aria-labelledby="export-events">
          <h2 class="utrecht-heading-2" id="export-events">
            {t('subject_rights.export.events')}
          </h2>
          {doc.events.length === 0 ? (
            <Paragraph>{t('subject_rights.export.no_events')}</Paragraph>
          ) : (
            <ul class="utrecht-unordered-list" data-export-events="">
              {doc.events.map((event, index) => (
                <li class="utrecht-unordered-list__item" key={index}>
                  {when(ctx, event.at)}: {event.label} <code>{JSON.stringify(event.details)}</code>
                </li>
              ))}
            </ul>
          )}
        </section>

        {doc.indicators.length > 0 ? (
          <section aria-labelledby="export-indicators">
            <h2 class="utrecht-heading-2" id="export-indicators">
              {t('subject_rights.export.indicators')}
            </h2>
            <table class="utrecht-table utrecht-table--html-table" data-export-indicators="">
              <caption class="utrecht-table__caption">
                {t('subject_rights.export.indicators_caption')}
              </caption>
              <thead class="utrecht-table__header">
                <tr class="utrecht-table__row">
                  <th class={headerCell} scope="col">
                    {t('subject_rights.export.indicator')}
                  </th>
                  <th class={headerCell} scope="col">
                    {t('subject_rights.export.indicator_present')}
                  </th>
                  <th class={headerCell} scope="col">
                    {t('subject_rights.export.indicator_remark')}
                  </th>
                  <th class={headerCell} scope="col">
                    {t('subject_rights.export.indicator_at')}
                  </th>
                </tr>
              </thead>
              <tbody class="utrecht-table__body">
                {doc.indicators.map((a, index) => (
                  <tr class="utrecht-table__row" key={index}>
                    <td class={cell}>{a.label}</td>
                    <td class={cell}>
                      {t(a.present ? 'subject_rights.export.yes' : 'subject_rights.export.no')}
                    </td>
                    <td class={cell}>{a.remark ?? ''}</td>
                    <td class={cell}>{when(ctx, a.assessedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}

        <section aria-labelledby="export-passages">
          <h2 class="utrecht-heading-2" id="export-passages">
            {t('subject_rights.export.passages')}
          </h2>
          <Paragraph>{doc.passagesNote}</Paragraph>
          {doc.thirdParty.handling === 'withheld' ? (
            <p class="utrecht-paragraph" data-withheld>
              {doc.thirdParty.note}
            </p>
          ) : null}
          {doc.passages.length === 0 ? (
            <Paragraph>{t('subject_rights.export.no_passages')}</Paragraph>
          ) : (
            <ol class="utrecht-ordered-list" data-export-passages="">
              {doc.passages.map((p, index) => (
                <li class="utrecht-ordered-list__item" key={index} data-passage-source={p.source}>
                  <p class="utrecht-paragraph">
                    <strong>{p.sourceLabel}</strong>
                    {p.at ? `, ${when(ctx, p.at)}` : ''} — {t('subject_rights.export.may_concern')}
                  </p>
                  {doc.thirdParty.handling === 'included' && doc.thirdParty.sources.includes(p.source) ? (
                    <p class="utrecht-paragraph" data-third-party-passage="">
                      <strong>{t('subject_rights.export.third_party_passage')}</strong>
                    </p>
                  ) : null}
                  <p class="utrecht-paragraph baken-pre-line">{p.text}</p>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </CaseSectionLayout>
  );
}

/** Asks for the reason, says what will happen and that it cannot be undone. */
export function ErasePage({
  ctx,
  caseFacts,
  person,
  csrfToken,
  values,
  errors,
}: {
  ctx: PageContext;
  caseFacts: CaseFacts;
  person: Person;
  csrfToken: string;
  values: EraseFormValues;
  errors: FieldErrors;
}) {
  const { t } = ctx;
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseFacts.id}
      caseNumber={caseFacts.number}
      section="persons"
      subtitle={t('subject_rights.erase.title')}
      hasErrors={errors.length > 0}
    >
      <Paragraph>
        <a class="utrecht-link" href={ctx.href(rightsPath(caseFacts.id, person.id))}>
          {t('subject_rights.back')}
        </a>
      </Paragraph>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <Paragraph>{t('subject_rights.erase.question', { name: subjectTitle(ctx, person) })}</Paragraph>
      <ul class="utrecht-unordered-list">
        <li class="utrecht-unordered-list__item">{t('subject_rights.erase.effect_record')}</li>
        <li class="utrecht-unordered-list__item">
          {t('subject_rights.erase.effect_texts', { placeholder: t('subject_rights.placeholder') })}
        </li>
        <li class="utrecht-unordered-list__item">{t('subject_rights.erase.effect_events')}</li>
        <li class="utrecht-unordered-list__item">{t('subject_rights.erase.effect_audit')}</li>
      </ul>
      <Paragraph>{t('subject_rights.erase.limits')}</Paragraph>
      <form
        class="baken-form"
        method="post"
        action={ctx.href(rightsPath(caseFacts.id, person.id, 'wissen'))}
        novalidate
        data-erase-form=""
      >
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextArea
          name="reason"
          label={t('subject_rights.erase.reason')}
          hint={t('subject_rights.erase.reason_hint')}
          value={values.reason}
          rows={4}
          maxLength={REASON_MAX}
          required
          error={errorFor(errors, 'reason')}
        />
        <SubmitButton>{t('subject_rights.erase.confirm')}</SubmitButton>
      </form>
      <Paragraph>
        <a class="utrecht-link" href={ctx.href(rightsPath(caseFacts.id, person.id))}>
          {t('subject_rights.erase.cancel')}
        </a>
      </Paragraph>
    </CaseSectionLayout>
  );
}
