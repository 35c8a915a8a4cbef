import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { can, caseVisibility, type Permission, type StaffPrincipal } from '../../web/policy.ts';
import { isUuid } from '../../db/ids.ts';
import type { ClosureReason } from '../../db/schema.ts';
import { caseAccessLog } from '../audit/audit-service.ts';
import { reportExists } from '../inbox/inbox-service.ts';
import {
  BREAK_GLASS_REASON_MAX,
  breakTheGlass,
  casePath,
  decideCaseOpening,
  requireCase,
} from './case-access.ts';
import {
  assignmentOptions,
  formatCaseCursor,
  listAccessGrants,
  listCases,
  parseCaseCursor,
  type CaseListFilters,
} from './case-queries.ts';
import {
  addCaseNote,
  assignCase,
  changeWorkflow,
  createCaseFromReport,
  linkReportToCase,
  markGrantReviewed,
  openCase,
  readCaseForEdit,
  replyFromCase,
  updateCaseDetails,
  type CaseActor,
} from './case-service.ts';
import { parseDetailsForm, requiredText } from './case-forms.ts';
import { caseStatuses, closureReasons, isOneOf } from './codes.ts';
import { plainMovesFrom, type WorkflowAction } from './workflow.ts';
import { CASE_NUMBER_PATTERN } from './case-number.ts';
import {
  CaseListPage,
  ClosureQueuePage,
  CASES_PATH,
  CLOSURE_QUEUE_PATH,
  caseListQuery,
} from './views/case-list.tsx';
import { CasePage, CLOSURE_NOTE_MAX_CHARS, NOTE_MAX_CHARS, type AccessLogRow } from './views/case-page.tsx';
import { CaseConflictPage, CaseEditPage, TITLE_MAX_CHARS } from './views/case-edit.tsx';
import {
  ACCESS_REVIEW_PATH,
  AccessReviewPage,
  BREAK_GLASS_REASON_MIN,
  BreakGlassPage,
} from './views/access.tsx';
import { ReportCaseFormPage, createCasePath, linkCasePath } from './views/report-case.tsx';

/**
 * The case file (casus): the list, one case with its timeline, editing with optimistic locking, the
 * status workflow with closure approval, assignment, break the glass and its review, and making a
 * case from a report. Every route under /beheer/casussen/:id goes through `requireCase` first.
 */
export function registerCaseRoutes(app: FastifyInstance): void {
  const rule = (permission: Permission) => ({ config: { permission } });
  const get = (path: string, permission: Permission, handler: Handler) => {
    for (const p of bothLocales(path)) app.get(p, rule(permission), handler);
  };
  const post = (path: string, permission: Permission, handler: Handler) => {
    for (const p of bothLocales(path)) app.post(p, rule(permission), handler);
  };
  get(CASES_PATH, 'cases.read.assigned', showList);
  get(CLOSURE_QUEUE_PATH, 'cases.close.approve', showClosureQueue);
  get(ACCESS_REVIEW_PATH, 'cases.access.review', showAccessReview);
  post(`${ACCESS_REVIEW_PATH}/:grantId/gezien`, 'cases.access.review', postGrantReviewed);
  get('/beheer/casussen/:id', 'cases.read.assigned', showCase);
  get('/beheer/casussen/:id/bewerken', 'cases.edit', showEdit);
  post('/beheer/casussen/:id/bewerken', 'cases.edit', postEdit);
  post('/beheer/casussen/:id/notities', 'cases.edit', postNote);
  post('/beheer/casussen/:id/antwoord', 'cases.edit', postReply);
  post('/beheer/casussen/:id/status', 'cases.edit', postStatus);
  post('/beheer/casussen/:id/afsluiten', 'cases.close.request', postClosure);
  post('/beheer/casussen/:id/toewijzen', 'cases.assign', postAssign);
  get('/beheer/casussen/:id/toegang', 'cases.break_glass', showBreakGlass);
  post('/beheer/casussen/:id/toegang', 'cases.break_glass', postBreakGlass);
  post(createCasePath(':id'), 'cases.create', postCreateFromReport);
  post(linkCasePath(':id'), 'cases.create', postLinkReport);
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

function signedIn(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

const actorOf = (request: FastifyRequest): CaseActor => ({
  principal: signedIn(request),
  requestId: request.id,
});

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = ((request.query ?? {}) as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The names in the query string: a confirmation after a redirect is a bare flag (`?opgeslagen`). */
function queryFlags(request: FastifyRequest): string[] {
  const query: unknown = request.query;
  return query && typeof query === 'object' ? Object.keys(query) : [];
}

/** A posted form, normalised, with a form-level error when its CSRF token is not valid. */
function readForm(request: FastifyRequest, ctx: PageContext, arrayFields: string[] = []) {
  const input = normaliseForm(request.body, arrayFields);
  const expired = !isValidCsrfToken(request, input[CSRF_FIELD]);
  const errors: FieldErrors = expired
    ? [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }]
    : [];
  return { input, expired, errors };
}

const redirectTo = (reply: FastifyReply, ctx: PageContext, path: string, flag?: string) =>
  reply.redirect(`${ctx.href(path)}${flag ? `?${flag}` : ''}`, 303);

// ---------- Lists ----------

async function showList(request: FastifyRequest, reply: FastifyReply) {
  const principal = signedIn(request);
  const ctx = buildPageContext(request, reply);
  const status = queryValue(request, 'status');
  const filters: CaseListFilters = {
    status: isOneOf(caseStatuses, status) ? status : undefined,
    urgentFirst: queryValue(request, 'volgorde') === 'urgent',
  };
  const cursor = parseCaseCursor(queryValue(request, 'vanaf'));
  const page = await listCases(request.server.deps.db, principal, filters, cursor);
  const base = ctx.href(CASES_PATH);
  return sendPage(
    reply,
    <CaseListPage
      ctx={ctx}
      rows={page.rows}
      filters={filters}
      seesAll={caseVisibility(principal).kind === 'all'}
      nextHref={page.next ? `${base}${caseListQuery(filters, formatCaseCursor(page.next))}` : undefined}
      firstHref={cursor ? `${base}${caseListQuery(filters)}` : undefined}
      closureQueueLink={can(principal.role, 'cases.close.approve')}
      accessReviewLink={can(principal.role, 'cases.access.review')}
    />,
  );
}

async function showClosureQueue(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const page = await listCases(request.server.deps.db, signedIn(request), {
    urgentFirst: true,
    closurePending: true,
  });
  return sendPage(reply, <ClosureQueuePage ctx={ctx} rows={page.rows} />);
}

// ---------- One case ----------

interface CasePageState {
  errors: FieldErrors;
  values: Record<string, string | undefined>;
  notice?: string | undefined;
}

const notices: Record<string, string> = {
  opgeslagen: 'cases.notice.saved',
  notitie: 'cases.notice.note_added',
  verzonden: 'cases.notice.reply_sent',
  status: 'cases.notice.status_changed',
  toegewezen: 'cases.notice.assigned',
  aangemaakt: 'cases.notice.created',
  gekoppeld: 'cases.notice.linked',
};

/** Who did what on this case, with names, for a coordinator. */
async function accessLogRows(request: FastifyRequest, caseId: string): Promise<AccessLogRow[]> {
  const { db } = request.server.deps;
  const log = await caseAccessLog(db, caseId, { limit: 100 });
  const ids = [...new Set(log.events.map((e) => e.actorUserId).filter((id): id is string => id !== null))];
  const names = ids.length
    ? await db.selectFrom('staff_user').select(['id', 'display_name']).where('id', 'in', ids).execute()
    : [];
  const nameOf = new Map(names.map((n) => [n.id, n.display_name]));
  return log.events.map((e) => ({
    at: e.at,
    actorName: e.actorUserId ? (nameOf.get(e.actorUserId) ?? null) : null,
    action: e.action,
    reason: e.reason,
  }));
}

async function renderCase(
  request: FastifyRequest,
  reply: FastifyReply,
  caseId: string,
  state: CasePageState,
  status = 200,
) {
  const { db } = request.server.deps;
  const principal = signedIn(request);
  const ctx = buildPageContext(request, reply);
  const view = await openCase(db, actorOf(request), caseId);
  if (!view) return sendErrorPage(request, reply, 'forbidden');
  const role = principal.role;
  const abilities = {
    edit: can(role, 'cases.edit'),
    requestClosure: can(role, 'cases.close.request'),
    decideClosure: can(role, 'cases.close.approve'),
    assign: can(role, 'cases.assign'),
    reviewAccess: can(role, 'cases.access.review'),
  };
  return sendPage(
    reply,
    <CasePage
      ctx={ctx}
      view={view}
      csrfToken={issueCsrfToken(request, reply)}
      abilities={abilities}
      moves={plainMovesFrom(view.record.status)}
      assignment={abilities.assign ? await assignmentOptions(db) : undefined}
      accessLog={abilities.reviewAccess ? await accessLogRows(request, caseId) : undefined}
      {...state}
    />,
    status,
  );
}

async function showCase(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  // Own keys only: `in` would also take `?toString` or `?__proto__` for a notice (and fail rendering it).
  const flag = queryFlags(request).find((key) => Object.hasOwn(notices, key));
  return renderCase(request, reply, caseId, {
    errors: [],
    values: {},
    notice: flag ? notices[flag] : undefined,
  });
}

async function postNote(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const note = requiredText(form.input, 'note', NOTE_MAX_CHARS, 'cases.errors.note_required', ctx.t);
  const errors = [...form.errors, ...note.errors];
  if (errors.length > 0) {
    return renderCase(
      request,
      reply,
      caseId,
      { errors, values: { note: note.value } },
      form.expired ? 403 : 400,
    );
  }
  await addCaseNote(request.server.deps.db, actorOf(request), caseId, note.value);
  return redirectTo(reply, ctx, casePath(caseId), 'notitie');
}

async function postReply(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const body = requiredText(form.input, 'reply_body', NOTE_MAX_CHARS, 'cases.errors.reply_required', ctx.t);
  const reportId = typeof form.input.report_id === 'string' ? form.input.report_id : '';
  const errors = [...form.errors, ...body.errors];
  const values = { reply_body: body.value, report_id: reportId };
  if (errors.length === 0) {
    const sent =
      isUuid(reportId) &&
      (await replyFromCase(request.server.deps.db, request.server.deps, actorOf(request), {
        caseId,
        reportId,
        body: body.value,
      }));
    if (sent) return redirectTo(reply, ctx, casePath(caseId), 'verzonden');
    errors.push({ field: 'report_id', message: ctx.t('cases.errors.report_not_in_case') });
  }
  return renderCase(request, reply, caseId, { errors, values }, form.expired ? 403 : 400);
}

// ---------- Workflow and assignment ----------

async function applyOrExplain(
  request: FastifyRequest,
  reply: FastifyReply,
  caseId: string,
  action: WorkflowAction,
  note: string | undefined,
  values: Record<string, string | undefined>,
) {
  const ctx = buildPageContext(request, reply);
  const done = await changeWorkflow(request.server.deps.db, actorOf(request), caseId, { action, note });
  if (done) return redirectTo(reply, ctx, casePath(caseId), 'status');
  const errors = [{ field: FORM_LEVEL, message: ctx.t('cases.errors.transition_not_allowed') }];
  return renderCase(request, reply, caseId, { errors, values }, 409);
}

async function postStatus(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const to = form.input.to;
  if (!isOneOf(caseStatuses, to))
    form.errors.push({ field: 'to', message: ctx.t('cases.errors.status_required') });
  if (form.errors.length > 0 || !isOneOf(caseStatuses, to)) {
    return renderCase(request, reply, caseId, { errors: form.errors, values: {} }, form.expired ? 403 : 400);
  }
  return applyOrExplain(request, reply, caseId, { kind: 'move', to }, undefined, {});
}

/** Closure: an advisor's request; a coordinator's approval, rejection, direct closing or reopening. */
async function postClosure(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const decision = form.input.decision;
  const reason = form.input.closure_reason;
  const noteField = decision === 'approve' || decision === 'reject' ? 'decision_note' : 'closure_note';
  const note = typeof form.input[noteField] === 'string' ? form.input[noteField] : undefined;
  const values = { [noteField]: note, closure_reason: typeof reason === 'string' ? reason : undefined };
  const errors = form.errors;
  if (note !== undefined && note.length > CLOSURE_NOTE_MAX_CHARS) {
    errors.push({ field: noteField, message: ctx.t('validation.too_long', { max: CLOSURE_NOTE_MAX_CHARS }) });
  }
  const needsReason = decision === 'request' || decision === 'close';
  if (needsReason && !isOneOf(closureReasons, reason)) {
    errors.push({ field: 'closure_reason', message: ctx.t('cases.errors.closure_reason_required') });
  }
  if (decision === 'reject' && !note) {
    errors.push({ field: 'decision_note', message: ctx.t('cases.errors.rejection_note_required') });
  }
  const action = closureAction(decision, reason);
  // A missing reason has its own message above; anything else unknown is not a step there is.
  if (!action && !needsReason) {
    errors.push({ field: FORM_LEVEL, message: ctx.t('cases.errors.transition_not_allowed') });
  }
  if (errors.length > 0 || !action) {
    return renderCase(request, reply, caseId, { errors, values }, form.expired ? 403 : 400);
  }
  return applyOrExplain(request, reply, caseId, action, note, values);
}

function closureAction(decision: unknown, reason: unknown): WorkflowAction | undefined {
  const closureReason: ClosureReason | undefined = isOneOf(closureReasons, reason) ? reason : undefined;
  switch (decision) {
    case 'request':
      return closureReason ? { kind: 'request_closure', reason: closureReason } : undefined;
    case 'close':
      return closureReason ? { kind: 'close', reason: closureReason } : undefined;
    case 'approve':
      return { kind: 'approve_closure' };
    case 'reject':
      return { kind: 'reject_closure' };
    case 'reopen':
      return { kind: 'reopen' };
    default:
      return undefined;
  }
}

async function postAssign(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const userId = typeof form.input.assigned_user_id === 'string' ? form.input.assigned_user_id : null;
  const teamId = typeof form.input.team_id === 'string' ? form.input.team_id : null;
  const options = await assignmentOptions(db);
  if (userId !== null && !options.advisors.some((a) => a.id === userId)) {
    form.errors.push({ field: 'assigned_user_id', message: ctx.t('cases.errors.unknown_choice') });
  }
  if (teamId !== null && !options.teams.some((t) => t.id === teamId)) {
    form.errors.push({ field: 'team_id', message: ctx.t('cases.errors.unknown_choice') });
  }
  if (form.errors.length > 0) {
    return renderCase(request, reply, caseId, { errors: form.errors, values: {} }, form.expired ? 403 : 400);
  }
  await assignCase(db, actorOf(request), caseId, { userId, teamId });
  return redirectTo(reply, ctx, casePath(caseId), 'toegewezen');
}

// ---------- Editing details ----------

async function showEdit(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const record = await readCaseForEdit(request.server.deps.db, actorOf(request), caseId);
  if (!record) return sendErrorPage(request, reply, 'forbidden');
  return sendPage(
    reply,
    <CaseEditPage
      ctx={ctx}
      record={record}
      values={record}
      version={record.version}
      errors={[]}
      csrfToken={issueCsrfToken(request, reply)}
    />,
  );
}

async function postEdit(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const parsed = parseDetailsForm(request.body, config.region, ctx.t);
  const errors = [...form.errors, ...(parsed.ok ? [] : parsed.errors)];
  if (errors.length > 0 || !parsed.ok) {
    // The page shows the case's number again: a read like any other, so audited.
    const record = await readCaseForEdit(db, actorOf(request), caseId);
    if (!record) return sendErrorPage(request, reply, 'forbidden');
    return sendPage(
      reply,
      <CaseEditPage
        ctx={ctx}
        record={record}
        values={parsed.typed}
        version={parsed.version}
        errors={errors}
        csrfToken={issueCsrfToken(request, reply)}
      />,
      form.expired ? 403 : 400,
    );
  }
  const result = await updateCaseDetails(db, actorOf(request), caseId, parsed.version, parsed.details);
  if (result.kind === 'missing') return sendErrorPage(request, reply, 'forbidden');
  if (result.kind === 'conflict') {
    return sendPage(
      reply,
      <CaseConflictPage
        ctx={ctx}
        current={result.current}
        typed={parsed.typed}
        csrfToken={issueCsrfToken(request, reply)}
      />,
      409,
    );
  }
  return redirectTo(reply, ctx, casePath(caseId), 'opgeslagen');
}

// ---------- Break the glass ----------

/** The case id of a break-the-glass route, when the case may be opened with a reason at all. */
async function breakGlassTarget(request: FastifyRequest, reply: FastifyReply) {
  const caseId = (request.params as { id: string }).id;
  const opening = await decideCaseOpening(request.server.deps.db, signedIn(request), caseId);
  if (opening.decision === 'granted') {
    await redirectTo(reply, buildPageContext(request, reply), casePath(caseId));
    return undefined;
  }
  if (opening.decision !== 'break_glass') {
    // One and the same 403 as requireCase gives for a missing or a foreign case.
    await sendErrorPage(request, reply, 'forbidden');
    return undefined;
  }
  return caseId;
}

async function showBreakGlass(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await breakGlassTarget(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  return sendPage(
    reply,
    <BreakGlassPage
      ctx={ctx}
      caseId={caseId}
      csrfToken={issueCsrfToken(request, reply)}
      errors={[]}
      reason={undefined}
    />,
  );
}

async function postBreakGlass(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await breakGlassTarget(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const reason = requiredText(
    form.input,
    'reason',
    BREAK_GLASS_REASON_MAX,
    'cases.errors.reason_required',
    ctx.t,
  );
  const errors = [...form.errors, ...reason.errors];
  if (reason.errors.length === 0 && reason.value.length < BREAK_GLASS_REASON_MIN) {
    errors.push({
      field: 'reason',
      message: ctx.t('cases.errors.reason_too_short', { min: BREAK_GLASS_REASON_MIN }),
    });
  }
  const refuse = (problems: FieldErrors, status: number) =>
    sendPage(
      reply,
      <BreakGlassPage
        ctx={ctx}
        caseId={caseId}
        csrfToken={issueCsrfToken(request, reply)}
        errors={problems}
        reason={reason.value}
      />,
      status,
    );
  if (errors.length > 0) return refuse(errors, form.expired ? 403 : 400);
  const { db, config } = request.server.deps;
  const outcome = await breakTheGlass(
    db,
    config.secrets.encryptionKeys,
    signedIn(request),
    caseId,
    reason.value,
    request.id,
  );
  if (outcome === 'name_in_reason') {
    return refuse([{ field: 'reason', message: ctx.t('cases.errors.reason_has_name') }], 400);
  }
  return redirectTo(reply, ctx, casePath(caseId));
}

async function showAccessReview(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const grants = await listAccessGrants(request.server.deps.db);
  return sendPage(
    reply,
    <AccessReviewPage
      ctx={ctx}
      grants={grants}
      csrfToken={issueCsrfToken(request, reply)}
      reviewed={queryFlags(request).includes('gezien')}
    />,
  );
}

async function postGrantReviewed(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const grantId = (request.params as { grantId: string }).grantId;
  const form = readForm(request, ctx);
  if (form.expired) return sendErrorPage(request, reply, 'csrf_invalid');
  if (!isUuid(grantId)) return sendErrorPage(request, reply, 'not_found');
  await markGrantReviewed(request.server.deps.db, actorOf(request), grantId);
  return redirectTo(reply, ctx, ACCESS_REVIEW_PATH, 'gezien');
}

// ---------- From a report ----------

async function reportFormPage(
  request: FastifyRequest,
  reply: FastifyReply,
  reportId: string,
  errors: FieldErrors,
  values: { title?: string | undefined; case_number?: string | undefined },
  status: number,
) {
  const ctx = buildPageContext(request, reply);
  return sendPage(
    reply,
    <ReportCaseFormPage
      ctx={ctx}
      reportId={reportId}
      csrfToken={issueCsrfToken(request, reply)}
      errors={errors}
      values={values}
    />,
    status,
  );
}

/** The report id of a from-report route, or undefined after answering 404 for an unknown report. */
async function knownReport(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  const reportId = (request.params as { id: string }).id;
  if (isUuid(reportId) && (await reportExists(request.server.deps.db, reportId))) return reportId;
  await sendErrorPage(request, reply, 'not_found');
  return undefined;
}

async function postCreateFromReport(request: FastifyRequest, reply: FastifyReply) {
  const reportId = await knownReport(request, reply);
  if (!reportId) return reply;
  const { db, config } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const title = requiredText(form.input, 'title', TITLE_MAX_CHARS, 'cases.errors.title_required', ctx.t);
  const errors = [...form.errors, ...title.errors];
  if (errors.length > 0) {
    return reportFormPage(request, reply, reportId, errors, { title: title.value }, form.expired ? 403 : 400);
  }
  const result = await createCaseFromReport(db, config.secrets.encryptionKeys, actorOf(request), {
    reportId,
    title: title.value,
  });
  if (result.kind === 'no_report') return sendErrorPage(request, reply, 'not_found');
  // A double submit lands on the case the first one made.
  return redirectTo(
    reply,
    ctx,
    casePath(result.caseId),
    result.kind === 'created' ? 'aangemaakt' : undefined,
  );
}

async function postLinkReport(request: FastifyRequest, reply: FastifyReply) {
  const reportId = await knownReport(request, reply);
  if (!reportId) return reply;
  const ctx = buildPageContext(request, reply);
  const form = readForm(request, ctx);
  const number = requiredText(form.input, 'case_number', 20, 'cases.errors.case_number_required', ctx.t);
  const errors = [...form.errors, ...number.errors];
  if (number.errors.length === 0 && !CASE_NUMBER_PATTERN.test(number.value)) {
    errors.push({ field: 'case_number', message: ctx.t('cases.errors.case_number_invalid') });
  }
  const values = { case_number: number.value };
  if (errors.length > 0)
    return reportFormPage(request, reply, reportId, errors, values, form.expired ? 403 : 400);
  const result = await linkReportToCase(request.server.deps.db, actorOf(request), {
    reportId,
    caseNumber: number.value,
  });
  switch (result.kind) {
    case 'no_report':
      return sendErrorPage(request, reply, 'not_found');
    case 'unknown_case': {
      const unknown = [{ field: 'case_number', message: ctx.t('cases.errors.case_number_unknown') }];
      return reportFormPage(request, reply, reportId, unknown, values, 400);
    }
    case 'linked':
      return redirectTo(reply, ctx, casePath(result.caseId), 'gekoppeld');
    case 'already_linked':
      return redirectTo(reply, ctx, casePath(result.caseId));
  }
}
