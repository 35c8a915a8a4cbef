import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { can, type StaffPrincipal } from '../../web/policy.ts';
import {
  REPLY_MAX_CHARS,
  formatCursor,
  isAudience,
  isExploitationForm,
  listInbox,
  openReport,
  parseCursor,
  replyToReport,
  reportExists,
  type InboxFilters,
  type StaffAccess,
} from './inbox-service.ts';
import { InboxPage, ReportPage, inboxQuery } from './views.tsx';
import { isUuid } from '../../db/ids.ts';
import { caseOfReport } from '../cases/case-queries.ts';

/**
 * The back office's inbox: the list of reports (/beheer/meldingen), one report with its contact data
 * and thread (/beheer/meldingen/:id, every view audited) and the reply to the reporter's mailbox.
 */
export function registerInboxRoutes(app: FastifyInstance): void {
  const read = { config: { permission: 'reports.read' as const } };
  const answer = { config: { permission: 'reports.reply' as const } };
  for (const path of bothLocales('/beheer/meldingen')) app.get(path, read, showInbox);
  for (const path of bothLocales('/beheer/meldingen/:id')) app.get(path, read, showReport);
  for (const path of bothLocales('/beheer/meldingen/:id/antwoord')) app.post(path, answer, postReply);
}

function signedIn(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

const accessOf = (request: FastifyRequest): StaffAccess => {
  const staff = signedIn(request);
  return { actor: { userId: staff.userId, role: staff.role }, requestId: request.id };
};

/** One value of a query parameter; a repeated parameter counts as absent. */
function queryValue(request: FastifyRequest, name: string): string | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const value = query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Filters from the query string: known codes only; anything else is ignored. */
function filtersOf(request: FastifyRequest): InboxFilters {
  const { region } = request.server.deps.config;
  const audience = queryValue(request, 'doelgroep');
  const form = queryValue(request, 'vorm');
  const municipality = queryValue(request, 'gemeente');
  const knownMunicipality =
    municipality !== undefined &&
    (municipality === 'outside' ||
      municipality === 'unknown' ||
      region.municipalities.some((m) => m.code === municipality));
  return {
    audience: isAudience(audience) ? audience : undefined,
    form: isExploitationForm(form) ? form : undefined,
    municipality: knownMunicipality ? municipality : undefined,
    dangerFirst: queryValue(request, 'volgorde') === 'gevaar',
  };
}

async function showInbox(request: FastifyRequest, reply: FastifyReply) {
  const { db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const filters = filtersOf(request);
  const cursor = parseCursor(queryValue(request, 'vanaf'));
  const page = await listInbox(db, filters, cursor);
  const nextHref = page.next
    ? `${ctx.href('/beheer/meldingen')}${inboxQuery(filters, formatCursor(page.next))}`
    : undefined;
  return sendPage(
    reply,
    <InboxPage
      ctx={ctx}
      rows={page.rows}
      filters={filters}
      nextHref={nextHref}
      isLaterPage={cursor !== undefined}
    />,
  );
}

const reportIdOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Reads the report (audited as 'report.read') and renders its page; 404 for an unknown report. */
async function renderReport(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  reportId: string,
  state: { errors: FieldErrors; values: { body?: string | undefined }; sent: boolean },
  status = 200,
) {
  const { db, config } = request.server.deps;
  const report = await openReport(db, config.secrets.encryptionKeys, reportId, accessOf(request));
  if (!report) return sendErrorPage(request, reply, 'not_found');
  const reportCase = can(signedIn(request).role, 'cases.create')
    ? { linked: await caseOfReport(db, reportId) }
    : undefined;
  return sendPage(
    reply,
    <ReportPage
      ctx={ctx}
      report={report}
      {...state}
      csrfToken={issueCsrfToken(request, reply)}
      maxReplyChars={REPLY_MAX_CHARS}
      reportCase={reportCase}
    />,
    status,
  );
}

async function showReport(request: FastifyRequest, reply: FastifyReply) {
  const reportId = reportIdOf(request);
  if (!isUuid(reportId)) return sendErrorPage(request, reply, 'not_found');
  const ctx = buildPageContext(request, reply);
  const sent = (request.query as Record<string, unknown>).verzonden !== undefined;
  return renderReport(request, reply, ctx, reportId, { errors: [], values: {}, sent });
}

async function postReply(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const { db } = request.server.deps;
  const reportId = reportIdOf(request);
  if (!isUuid(reportId) || !(await reportExists(db, reportId))) {
    return sendErrorPage(request, reply, 'not_found');
  }
  const ctx = buildPageContext(request, reply);
  const input = normaliseForm(request.body);
  const body = typeof input.body === 'string' ? input.body : '';
  const expired = !isValidCsrfToken(request, input[CSRF_FIELD]);
  const errors: FieldErrors = [];
  if (expired) errors.push({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  if (!body) {
    errors.push({ field: 'body', message: ctx.t('inbox.errors.reply_required') });
  } else if (body.length > REPLY_MAX_CHARS) {
    errors.push({ field: 'body', message: ctx.t('validation.too_long', { max: REPLY_MAX_CHARS }) });
  }
  if (errors.length > 0) {
    // Showing the form again shows the report, which needs its own permission.
    if (!can(staff.role, 'reports.read')) return sendErrorPage(request, reply, 'forbidden');
    return renderReport(
      request,
      reply,
      ctx,
      reportId,
      { errors, values: { body }, sent: false },
      expired ? 403 : 400,
    );
  }
  await replyToReport(
    db,
    request.server.deps,
    { reportId, body, authorUserId: staff.userId },
    accessOf(request),
  );
  request.log.info({ event: 'inbox.replied', userId: staff.userId }, 'reply sent');
  return reply.redirect(`${ctx.href(`/beheer/meldingen/${reportId}`)}?verzonden`, 303);
}
