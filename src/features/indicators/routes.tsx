import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { requireCase } from '../cases/case-access.ts';
import { caseSectionPath, caseWorkOf } from '../case-sections/case-section.ts';
import {
  REMARK_MAX_CHARS,
  newestListCodes,
  readChecklist,
  saveChecklist,
  type IndicatorState,
} from './indicator-service.ts';
import { fieldNames, parseChecklistForm } from './checklist-form.ts';
import { ChecklistPage } from './views.tsx';

/** The indicator checklist of a case: read (audited) and saved as a whole form. */
export function registerIndicatorRoutes(app: FastifyInstance): void {
  const read = { config: { permission: 'cases.read.assigned' as const } };
  const edit = { config: { permission: 'cases.edit' as const } };
  for (const path of bothLocales('/beheer/casussen/:id/indicatoren')) {
    app.get(path, read, showChecklist);
    app.post(path, edit, postChecklist);
  }
}

async function renderChecklist(
  request: FastifyRequest,
  reply: FastifyReply,
  caseId: string,
  state: { errors: FieldErrors; typed?: Map<string, IndicatorState>; saved?: number | undefined },
  status = 200,
) {
  const ctx = buildPageContext(request, reply);
  const checklist = await readChecklist(request.server.deps.db, caseId, caseWorkOf(request));
  return sendPage(
    reply,
    <ChecklistPage
      ctx={ctx}
      checklist={checklist}
      csrfToken={issueCsrfToken(request, reply)}
      errors={state.errors}
      typed={state.typed}
      saved={state.saved}
    />,
    status,
  );
}

async function showChecklist(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const saved = Number((request.query as Record<string, unknown>).opgeslagen);
  return renderChecklist(request, reply, caseId, {
    errors: [],
    saved: Number.isSafeInteger(saved) && saved >= 0 ? saved : undefined,
  });
}

async function postChecklist(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const codes = await newestListCodes(db);
  const form = parseChecklistForm(request.body, codes);
  const errors: FieldErrors = [];
  const expired = !isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD]);
  if (expired) errors.push({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  for (const code of form.tooLong) {
    errors.push({
      field: fieldNames(code).remark,
      message: ctx.t('indicators.errors.remark_too_long', { max: REMARK_MAX_CHARS }),
    });
  }
  if (errors.length > 0) {
    return renderChecklist(request, reply, caseId, { errors, typed: form.submitted }, expired ? 403 : 400);
  }
  const changed = await saveChecklist(db, caseId, form, caseWorkOf(request));
  return reply.redirect(`${ctx.href(caseSectionPath(caseId, 'indicators'))}?opgeslagen=${changed}`, 303);
}
