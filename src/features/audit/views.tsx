import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  SelectField,
  SubmitButton,
  TextInput,
  errorFor,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { formatDateTimeToSecond } from '../../web/format.ts';
import type { AuditEntry } from './audit-service.ts';
import type { SearchInput, StaffName } from './audit-search.ts';

const headerCell = 'utrecht-table__header-cell';
const cell = 'utrecht-table__cell';

/** The query string for these filters, with an optional page cursor. */
export function searchQuery(input: SearchInput, before?: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(input)) params.set(name, value);
  if (before !== undefined) params.set('voor', String(before));
  const query = params.toString();
  return query ? `?${query}` : '';
}

function Actor({
  ctx,
  event,
  names,
}: {
  ctx: PageContext;
  event: AuditEntry;
  names: Map<string, StaffName>;
}) {
  const { t } = ctx;
  const role = event.actorRole ? t(`audit.search.role.${event.actorRole}`) : undefined;
  if (event.actorUserId) {
    const name = names.get(event.actorUserId)?.displayName ?? t('audit.search.unknown_user');
    return <>{role ? `${name} (${role})` : name}</>;
  }
  return <>{role ?? t('audit.search.nobody')}</>;
}

function SearchForm({
  ctx,
  input,
  errors,
  staff,
}: {
  ctx: PageContext;
  input: SearchInput;
  errors: FieldErrors;
  staff: { id: string; displayName: string }[];
}) {
  const { t } = ctx;
  const text = (name: 'actie' | 'type' | 'object' | 'van' | 'tot', maxLength: number, hint?: string) => (
    <TextInput
      name={name}
      label={t(`audit.search.field.${name}`)}
      hint={hint}
      value={input[name]}
      maxLength={maxLength}
      spellcheck={false}
      error={errorFor(errors, name)}
    />
  );
  return (
    <section aria-labelledby="audit-filters-heading">
      <h2 class="utrecht-heading-2" id="audit-filters-heading">
        {t('audit.search.filters_heading')}
      </h2>
      <form class="baken-form" method="get" action={ctx.href('/beheer/audit')} novalidate>
        {text('actie', 100, t('audit.search.hint.actie'))}
        {text('type', 50, t('audit.search.hint.type'))}
        {text('object', 200)}
        <SelectField
          name="gebruiker"
          label={t('audit.search.field.gebruiker')}
          placeholder={t('audit.search.everyone')}
          value={input.gebruiker}
          options={staff.map((person) => ({ value: person.id, label: person.displayName }))}
          error={errorFor(errors, 'gebruiker')}
        />
        {text('van', 10, t('audit.search.hint.date'))}
        {text('tot', 10, t('audit.search.hint.date'))}
        <SubmitButton>{t('audit.search.submit')}</SubmitButton>
      </form>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer/audit')}>
          {t('audit.search.reset')}
        </a>
      </p>
    </section>
  );
}

export function AuditSearchPage({
  ctx,
  input,
  errors,
  staff,
  events,
  names,
  nextHref,
}: {
  ctx: PageContext;
  input: SearchInput;
  errors: FieldErrors;
  staff: { id: string; displayName: string }[];
  events: AuditEntry[] | undefined;
  names: Map<string, StaffName>;
  nextHref: string | undefined;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('audit.search.title')} hasErrors={errors.length > 0}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer')}>
          {t('audit.search.back_home')}
        </a>
      </p>
      <h1 class="utrecht-heading-1">{t('audit.search.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t('audit.search.intro')}</p>
      <SearchForm ctx={ctx} input={input} errors={errors} staff={staff} />
      <h2 class="utrecht-heading-2">{t('audit.search.results_heading')}</h2>
      {events === undefined ? null : events.length === 0 ? (
        <p class="utrecht-paragraph" data-audit-empty="">
          {t('audit.search.empty')}
        </p>
      ) : (
        <table class="utrecht-table utrecht-table--html-table" data-audit-events="">
          <caption class="utrecht-table__caption">{t('audit.search.caption')}</caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              {(['time', 'actor', 'action', 'entity', 'reason'] as const).map((column) => (
                <th class={headerCell} scope="col" key={column}>
                  {t(`audit.search.column.${column}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {events.map((event) => (
              <tr class="utrecht-table__row" key={event.id} data-audit-seq={String(event.seq)}>
                <td class={cell}>{formatDateTimeToSecond(ctx, event.at)}</td>
                <td class={cell}>
                  <Actor ctx={ctx} event={event} names={names} />
                </td>
                <td class={cell}>
                  <code>{event.action}</code>
                </td>
                <td class={cell}>
                  {event.entityType ? (
                    <>
                      {event.entityType} <code>{event.entityId}</code>
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td class={cell}>{event.reason ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextHref ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={nextHref} rel="next">
            {t('audit.search.older')}
          </a>
        </p>
      ) : null}
    </StaffLayout>
  );
}
