import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  RadioGroup,
  SelectField,
  SubmitButton,
  TextInput,
  errorFor,
  type FieldErrors,
  type Option,
} from '../../web/components/form.tsx';
import type { ComponentChildren } from 'preact';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { caseStatuses, urgencies } from '../../db/schema.ts';
import { municipalityName } from '../inbox/views.tsx';
import {
  SEARCH_QUERY_MAX_CHARS,
  caseExploitationForms,
  hasCaseOnlyFilter,
  searchTypes,
  type HeadlinePart,
  type SearchFilters,
  type SearchHit,
  type SearchOutcome,
  type SearchType,
} from './search-service.ts';

export const SEARCH_PATH = '/beheer/zoeken';

/** What the form holds: the words as typed, and the filters as codes (dates as typed). */
export interface SearchFormValues {
  text: string;
  type: SearchType;
  filters: SearchFilters;
}

/**
 * The hidden fields that repeat a search from a button (next page, first page, without filters): the
 * words travel in the POST body only, never in a URL (history, proxies, screenshots).
 */
function SearchStateFields({
  values,
  csrfToken,
  cursor,
}: {
  values: SearchFormValues;
  csrfToken: string;
  cursor?: string | undefined;
}) {
  const { filters } = values;
  const fields: [string, string | undefined][] = [
    ['q', values.text],
    ['type', values.type],
    ['status', filters.status],
    ['vorm', filters.form],
    ['gemeente', filters.municipality],
    ['urgentie', filters.urgency],
    ['van', filters.from],
    ['tot', filters.to],
    ['vanaf', cursor],
  ];
  return (
    <>
      <HiddenField name={CSRF_FIELD} value={csrfToken} />
      {fields.map(([name, value]) =>
        value === undefined ? null : <HiddenField key={name} name={name} value={value} />,
      )}
    </>
  );
}

/** A search repeated by pressing a button: a small POST form, so the words stay out of the URL. */
function SearchButtonForm({
  ctx,
  values,
  csrfToken,
  cursor,
  marker,
  children,
}: {
  ctx: PageContext;
  values: SearchFormValues;
  csrfToken: string;
  cursor?: string | undefined;
  /** A data attribute that names the form for tests and the bench. */
  marker: 'data-next-page' | 'data-first-page' | 'data-without-filters';
  children: ComponentChildren;
}) {
  return (
    <form class="baken-form" method="post" action={ctx.href(SEARCH_PATH)} {...{ [marker]: '' }}>
      <SearchStateFields values={values} csrfToken={csrfToken} cursor={cursor} />
      <SubmitButton variant="secondary">{children}</SubmitButton>
    </form>
  );
}

const formatDateTime = (ctx: PageContext, date: Date) =>
  new Intl.DateTimeFormat(ctx.locale === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Amsterdam',
  }).format(date);

function SearchForm({
  ctx,
  values,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  values: SearchFormValues;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  const { filters } = values;
  const all = t('search.filters.all');
  const municipalities: Option[] = [
    ...ctx.region.municipalities.map((m) => ({ value: m.code, label: m.name })),
    { value: 'outside', label: municipalityName(ctx, 'outside') },
    { value: 'unknown', label: municipalityName(ctx, 'unknown') },
  ];
  return (
    <form class="baken-form" method="post" action={ctx.href(SEARCH_PATH)} role="search" novalidate>
      <HiddenField name={CSRF_FIELD} value={csrfToken} />
      <TextInput
        name="q"
        label={t('search.form.query')}
        hint={t('search.form.query_hint')}
        value={values.text}
        maxLength={SEARCH_QUERY_MAX_CHARS}
        spellcheck={false}
        error={errorFor(errors, 'q')}
      />
      <RadioGroup
        name="type"
        legend={t('search.form.type')}
        value={values.type}
        options={searchTypes.map((type) => ({ value: type, label: t(`search.type.${type}`) }))}
      />
      <div class="utrecht-form-fieldset">
        <fieldset
          class="utrecht-form-fieldset__fieldset utrecht-form-fieldset--html-fieldset"
          aria-describedby="filters-hint"
        >
          <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
            {t('search.filters.legend')}
          </legend>
          <div class="utrecht-form-field-description" id="filters-hint">
            {t('search.filters.hint')}
          </div>
          <SelectField
            name="status"
            label={t('search.filters.status')}
            placeholder={all}
            value={filters.status}
            options={caseStatuses.map((s) => ({ value: s, label: t(`search.status.${s}`) }))}
          />
          <SelectField
            name="urgentie"
            label={t('search.filters.urgency')}
            placeholder={all}
            value={filters.urgency}
            options={urgencies.map((u) => ({ value: u, label: t(`search.urgency.${u}`) }))}
          />
          <SelectField
            name="vorm"
            label={t('search.filters.form')}
            placeholder={all}
            value={filters.form}
            options={caseExploitationForms.map((f) => ({
              value: f,
              label: t(`search.form_of_exploitation.${f}`),
            }))}
          />
          <SelectField
            name="gemeente"
            label={t('search.filters.municipality')}
            placeholder={all}
            value={filters.municipality}
            options={municipalities}
          />
          <TextInput
            name="van"
            label={t('search.filters.from')}
            hint={t('search.filters.date_hint')}
            value={filters.from}
            inputMode="numeric"
            maxLength={10}
            error={errorFor(errors, 'van')}
          />
          <TextInput
            name="tot"
            label={t('search.filters.to')}
            hint={t('search.filters.date_hint')}
            value={filters.to}
            inputMode="numeric"
            maxLength={10}
            error={errorFor(errors, 'tot')}
          />
        </fieldset>
      </div>
      <SubmitButton>{t('search.form.submit')}</SubmitButton>
    </form>
  );
}

/** A headline from the database, as text: matched words in <mark>, everything escaped by Preact. */
function Headline({ parts }: { parts: HeadlinePart[] }) {
  if (parts.length === 0) return null;
  return (
    <p class="utrecht-paragraph" data-headline="">
      {parts.map((part, index) => (part.marked ? <mark key={index}>{part.text}</mark> : part.text))}
    </p>
  );
}

function hitLink(ctx: PageContext, hit: SearchHit): { href: string; text: string } {
  const { t } = ctx;
  switch (hit.kind) {
    case 'case':
      return {
        href: ctx.href(`/beheer/casussen/${hit.id}`),
        text: t('search.hit.case', { number: hit.caseNumber, title: hit.caseTitle }),
      };
    case 'note':
      return {
        href: ctx.href(`/beheer/casussen/${hit.caseId}`),
        text: t('search.hit.note', { number: hit.caseNumber, title: hit.caseTitle }),
      };
    case 'report':
      return {
        href: ctx.href(`/beheer/meldingen/${hit.id}`),
        text: t('search.hit.report', { date: formatDateTime(ctx, hit.at) }),
      };
  }
}

function HitItem({ ctx, hit }: { ctx: PageContext; hit: SearchHit }) {
  const { t } = ctx;
  const link = hitLink(ctx, hit);
  return (
    <li class="baken-search-hit" data-hit-kind={hit.kind} data-hit-id={hit.id}>
      <h3 class="utrecht-heading-3">
        <a class="utrecht-link" href={link.href}>
          {link.text}
        </a>
      </h3>
      <p class="utrecht-paragraph baken-muted">
        {t(`search.kind.${hit.kind}`)} · {formatDateTime(ctx, hit.at)}
      </p>
      <Headline parts={hit.headline} />
    </li>
  );
}

function NothingFound({
  ctx,
  values,
  csrfToken,
}: {
  ctx: PageContext;
  values: SearchFormValues;
  csrfToken: string;
}) {
  const { t } = ctx;
  const hasFilters = Object.values(values.filters).some((value) => value !== undefined);
  return (
    <div data-no-results="">
      <p class="utrecht-paragraph">{t('search.empty.lead')}</p>
      <ul class="utrecht-unordered-list">
        <li class="utrecht-unordered-list__item">{t('search.empty.spelling')}</li>
        <li class="utrecht-unordered-list__item">{t('search.empty.fewer_words')}</li>
        {values.type !== 'alles' ? (
          <li class="utrecht-unordered-list__item">{t('search.empty.everything')}</li>
        ) : null}
        {hasFilters ? (
          <li class="utrecht-unordered-list__item">
            <SearchButtonForm
              ctx={ctx}
              values={{ text: values.text, type: values.type, filters: {} }}
              csrfToken={csrfToken}
              marker="data-without-filters"
            >
              {t('search.empty.without_filters')}
            </SearchButtonForm>
          </li>
        ) : null}
      </ul>
    </div>
  );
}

function Results({
  ctx,
  values,
  outcome,
  nextCursor,
  isLaterPage,
  csrfToken,
}: {
  ctx: PageContext;
  values: SearchFormValues;
  outcome: SearchOutcome;
  /** The opaque cursor of the next page, when there is one. */
  nextCursor: string | undefined;
  isLaterPage: boolean;
  csrfToken: string;
}) {
  const { t } = ctx;
  const reportsLeftOut =
    hasCaseOnlyFilter(values.filters) && values.type !== 'casussen' && values.type !== 'notities';
  return (
    <section aria-labelledby="results-heading">
      <h2 class="utrecht-heading-2" id="results-heading">
        {t('search.results.heading')}
      </h2>
      {reportsLeftOut ? <p class="utrecht-paragraph">{t('search.results.reports_left_out')}</p> : null}
      {outcome.status === 'no_terms' ? (
        <p class="utrecht-paragraph" data-no-terms="">
          {t('search.results.no_terms')}
        </p>
      ) : outcome.hits.length === 0 ? (
        <NothingFound ctx={ctx} values={values} csrfToken={csrfToken} />
      ) : (
        <>
          <p class="utrecht-paragraph" role="status">
            {t(isLaterPage ? 'search.results.count_later' : 'search.results.count', {
              count: outcome.hits.length,
            })}
          </p>
          <ol class="baken-search-results" data-search-results="">
            {outcome.hits.map((hit) => (
              <HitItem ctx={ctx} hit={hit} key={`${hit.kind}-${hit.id}`} />
            ))}
          </ol>
        </>
      )}
      {nextCursor || isLaterPage ? (
        <nav class="baken-pagination" aria-label={t('search.results.pages')}>
          {nextCursor ? (
            <SearchButtonForm
              ctx={ctx}
              values={values}
              csrfToken={csrfToken}
              cursor={nextCursor}
              marker="data-next-page"
            >
              {t('search.results.next')}
            </SearchButtonForm>
          ) : null}
          {isLaterPage ? (
            <SearchButtonForm ctx={ctx} values={values} csrfToken={csrfToken} marker="data-first-page">
              {t('search.results.first')}
            </SearchButtonForm>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

export function SearchPage({
  ctx,
  values,
  errors,
  outcome,
  nextCursor,
  isLaterPage,
  csrfToken,
}: {
  ctx: PageContext;
  values: SearchFormValues;
  errors: FieldErrors;
  /** Absent before the first search and when the form has errors. */
  outcome: SearchOutcome | undefined;
  nextCursor: string | undefined;
  isLaterPage: boolean;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('search.title')} hasErrors={errors.length > 0}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer')}>
          {t('search.back_home')}
        </a>
      </p>
      <h1 class="utrecht-heading-1">{t('search.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t('search.intro')}</p>
      <SearchForm ctx={ctx} values={values} errors={errors} csrfToken={csrfToken} />
      {outcome ? (
        <Results
          ctx={ctx}
          values={values}
          outcome={outcome}
          nextCursor={nextCursor}
          isLaterPage={isLaterPage}
          csrfToken={csrfToken}
        />
      ) : null}
    </StaffLayout>
  );
}
