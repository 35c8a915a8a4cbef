import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { CSRF_FIELD, issueCsrfToken, isValidCsrfToken } from '../../web/csrf.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import type { FieldErrors } from '../../web/components/form.tsx';
import {
  SEARCH_QUERY_MAX_CHARS,
  formatSearchCursor,
  isCaseExploitationForm,
  isCaseStatus,
  isSearchType,
  isUrgency,
  parseSearchCursor,
  search,
  type SearchFilters,
} from './search-service.ts';
import { SEARCH_PATH, SearchPage, type SearchFormValues } from './views.tsx';

/**
 * Full-text search for staff (/beheer/zoeken). The words searched for are often a person's name, so
 * they never go in a URL (browser history, screenshots, proxy logs): GET shows the empty form, the
 * form and its paging buttons POST, and the results come back in that POST's response.
 */
export function registerSearchRoutes(app: FastifyInstance): void {
  const options = { config: { permission: 'cases.search' as const } };
  for (const path of bothLocales(SEARCH_PATH)) {
    app.get(path, options, showEmptySearch);
    app.post(path, options, postSearch);
  }
}

/** One field of the normalised form body (trimmed, without NUL, absent when empty). */
function fieldValue(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written as YYYY-MM-DD (years 1900 to 2999). */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 2999) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Known codes only (anything else is ignored, as in the inbox); dates are checked separately. */
function formValuesOf(request: FastifyRequest, input: Record<string, unknown>): SearchFormValues {
  const { region } = request.server.deps.config;
  const municipality = fieldValue(input, 'gemeente');
  const knownMunicipality =
    municipality !== undefined &&
    (municipality === 'outside' ||
      municipality === 'unknown' ||
      region.municipalities.some((m) => m.code === municipality));
  const status = fieldValue(input, 'status');
  const form = fieldValue(input, 'vorm');
  const urgency = fieldValue(input, 'urgentie');
  const type = fieldValue(input, 'type');
  const filters: SearchFilters = {
    status: isCaseStatus(status) ? status : undefined,
    form: isCaseExploitationForm(form) ? form : undefined,
    municipality: knownMunicipality ? municipality : undefined,
    urgency: isUrgency(urgency) ? urgency : undefined,
    from: fieldValue(input, 'van'),
    to: fieldValue(input, 'tot'),
  };
  return { text: fieldValue(input, 'q') ?? '', type: isSearchType(type) ? type : 'alles', filters };
}

function validate(ctx: PageContext, values: SearchFormValues): FieldErrors {
  const errors: FieldErrors = [];
  if (values.text.length > SEARCH_QUERY_MAX_CHARS) {
    errors.push({ field: 'q', message: ctx.t('validation.too_long', { max: SEARCH_QUERY_MAX_CHARS }) });
  }
  const { from, to } = values.filters;
  const validFrom = from === undefined || isCalendarDate(from);
  const validTo = to === undefined || isCalendarDate(to);
  if (!validFrom) errors.push({ field: 'van', message: ctx.t('search.errors.date_invalid') });
  if (!validTo) errors.push({ field: 'tot', message: ctx.t('search.errors.date_invalid') });
  if (validFrom && validTo && from !== undefined && to !== undefined && from > to) {
    errors.push({ field: 'tot', message: ctx.t('search.errors.date_order') });
  }
  return errors;
}

function signedIn(request: FastifyRequest) {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

/** The empty form; a query string is ignored, so an old bookmarked search URL searches nothing. */
async function showEmptySearch(request: FastifyRequest, reply: FastifyReply) {
  signedIn(request);
  const ctx = buildPageContext(request, reply);
  const values: SearchFormValues = { text: '', type: 'alles', filters: {} };
  return sendPage(reply, <SearchPage ctx={ctx} values={values} {...noResults(request, reply)} />);
}

/** The page without results (before a search, or with errors); every form on it gets a CSRF token. */
function noResults(request: FastifyRequest, reply: FastifyReply) {
  return {
    errors: [],
    outcome: undefined,
    nextCursor: undefined,
    isLaterPage: false,
    csrfToken: issueCsrfToken(request, reply),
  };
}

async function postSearch(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const input = normaliseForm(request.body);
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) return sendErrorPage(request, reply, 'csrf_invalid');
  const ctx = buildPageContext(request, reply);
  const values = formValuesOf(request, input);
  const errors = validate(ctx, values);
  const empty = noResults(request, reply);
  if (errors.length > 0) {
    return sendPage(reply, <SearchPage ctx={ctx} values={values} {...empty} errors={errors} />, 400);
  }
  if (values.text === '') return sendPage(reply, <SearchPage ctx={ctx} values={values} {...empty} />);

  const cursor = parseSearchCursor(fieldValue(input, 'vanaf'));
  const outcome = await search(
    request.server.deps.db,
    staff,
    { text: values.text, type: values.type, filters: values.filters, cursor },
    request.id,
  );
  const next = outcome.status === 'done' ? outcome.next : undefined;
  return sendPage(
    reply,
    <SearchPage
      ctx={ctx}
      values={values}
      {...empty}
      outcome={outcome}
      nextCursor={next ? formatSearchCursor(next) : undefined}
      isLaterPage={cursor !== undefined}
    />,
  );
}
