import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm, toFieldErrors } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { requireCase } from '../cases/case-access.ts';
import { caseWorkOf } from '../case-sections/case-section.ts';
import { readPerson } from '../persons/person-service.ts';
import { personsPath } from '../persons/views.tsx';
import { collectSubjectData, erasePerson, type ExportFormat } from './subject-rights-service.ts';
import { buildExportDocument, exportFileName } from './export-document.ts';
import { eraseFieldOrder, eraseFormValues, validateErase, type EraseFormValues } from './erase-form.ts';
import { ErasePage, ExportPage, RightsPage } from './views.tsx';

/**
 * Data subject rights for one person in a case (AVG articles 15 and 17), for coordinators only: a
 * page explaining both, the export (a printable page, and a JSON download by POST so that neither a
 * link preview nor a crawler triggers an audited export), and erasure after a stated reason.
 */
export function registerSubjectRightsRoutes(app: FastifyInstance): void {
  const rights = { config: { permission: 'persons.subject_rights' as const } };
  const base = '/beheer/casussen/:id/personen/:personId/rechten';
  for (const path of bothLocales(base)) app.get(path, rights, showRights);
  for (const path of bothLocales(`${base}/inzage`)) app.get(path, rights, showExport);
  for (const path of bothLocales(`${base}/inzage/json`)) app.post(path, rights, downloadExport);
  for (const path of bothLocales(`${base}/wissen`)) {
    app.get(path, rights, showErase);
    app.post(path, rights, postErase);
  }
}

const personIdOf = (request: FastifyRequest) => (request.params as { personId: string }).personId;

/** The person, read and audited as the persons pages do; undefined after a 404 page was sent. */
async function personFor(request: FastifyRequest, reply: FastifyReply, caseId: string) {
  const { db, config } = request.server.deps;
  const found = await readPerson(
    db,
    config.secrets.encryptionKeys,
    caseId,
    personIdOf(request),
    caseWorkOf(request),
  );
  if (!found.person) {
    await sendErrorPage(request, reply, 'not_found');
    return undefined;
  }
  return { caseFacts: found.caseFacts, person: found.person };
}

async function showRights(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const found = await personFor(request, reply, caseId);
  if (!found) return reply;
  return sendPage(
    reply,
    <RightsPage
      ctx={buildPageContext(request, reply)}
      caseFacts={found.caseFacts}
      person={found.person}
      csrfToken={issueCsrfToken(request, reply)}
    />,
  );
}

/** Gathers the export (audited with its format); undefined after a 404 page was sent. */
async function exportFor(request: FastifyRequest, reply: FastifyReply, caseId: string, format: ExportFormat) {
  const { db, config, translators } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const data = await collectSubjectData(
    db,
    config.secrets.encryptionKeys,
    caseId,
    personIdOf(request),
    format,
    caseWorkOf(request),
  );
  if (!data) {
    await sendErrorPage(request, reply, 'not_found');
    return undefined;
  }
  return { ctx, doc: buildExportDocument(ctx, data, translators[ctx.locale].has) };
}

async function showExport(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const made = await exportFor(request, reply, caseId, 'html');
  if (!made) return reply;
  return sendPage(
    reply.header('cache-control', 'no-store'),
    <ExportPage ctx={made.ctx} caseId={caseId} personId={personIdOf(request)} doc={made.doc} />,
  );
}

async function downloadExport(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  if (!isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD])) {
    return sendErrorPage(request, reply, 'csrf_invalid');
  }
  const made = await exportFor(request, reply, caseId, 'json');
  if (!made) return reply;
  const fileName = exportFileName(made.ctx, made.doc.case.number);
  return reply
    .header('content-type', 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(`${JSON.stringify(made.doc, null, 2)}\n`);
}

async function renderErase(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  caseId: string,
  form: { values: EraseFormValues; errors: FieldErrors },
  status = 200,
) {
  const found = await personFor(request, reply, caseId);
  if (!found) return reply;
  return sendPage(
    reply,
    <ErasePage
      ctx={ctx}
      caseFacts={found.caseFacts}
      person={found.person}
      csrfToken={issueCsrfToken(request, reply)}
      values={form.values}
      errors={form.errors}
    />,
    status,
  );
}

async function showErase(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  return renderErase(request, reply, buildPageContext(request, reply), caseId, { values: {}, errors: [] });
}

async function postErase(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config, translators } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const values = eraseFormValues(request.body);
  const errors: FieldErrors = [];
  const expired = !isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD]);
  if (expired) errors.push({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  const result = validateErase(values);
  if (!result.ok) errors.push(...toFieldErrors(result.problems, ctx.t, eraseFieldOrder));
  if (errors.length > 0 || !result.ok) {
    return renderErase(request, reply, ctx, caseId, { values, errors }, expired ? 403 : 400);
  }
  const outcome = await erasePerson(
    db,
    config.secrets.encryptionKeys,
    caseId,
    {
      personId: personIdOf(request),
      reason: result.reason,
      placeholders: {
        nl: translators.nl.t('subject_rights.placeholder'),
        en: translators.en.t('subject_rights.placeholder'),
      },
    },
    caseWorkOf(request),
  );
  if (outcome.outcome === 'missing') return sendErrorPage(request, reply, 'not_found');
  if (outcome.outcome === 'name_in_reason') {
    const nameError = { field: 'reason', message: ctx.t('subject_rights.errors.reason_has_name') };
    return renderErase(request, reply, ctx, caseId, { values, errors: [nameError] }, 400);
  }
  // The persons list says the person was removed; the counts are in the audit row, not in the URL.
  return reply.redirect(`${ctx.href(personsPath(caseId))}?verwijderd`, 303);
}
