import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm, toFieldErrors } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { requireCase } from '../cases/case-access.ts';
import { caseWorkOf, type CaseFacts } from '../case-sections/case-section.ts';
import {
  addPerson,
  caseFactsOf,
  listPersons,
  readPerson,
  removePerson,
  updatePerson,
  type Person,
} from './person-service.ts';
import {
  formValuesOf,
  personFieldOrder,
  personFormValues,
  validatePerson,
  type PersonFormValues,
  type PersonInput,
} from './person-form.ts';
import { PersonFormPage, PersonsPage, RemovePersonPage, personPath, personsPath } from './views.tsx';

/** Persons in a case: the list, adding, editing (optimistic locking) and removing (after confirming). */
export function registerPersonRoutes(app: FastifyInstance): void {
  const read = { config: { permission: 'cases.read.assigned' as const } };
  const edit = { config: { permission: 'cases.edit' as const } };
  const base = '/beheer/casussen/:id/personen';
  for (const path of bothLocales(base)) app.get(path, read, showPersons);
  for (const path of bothLocales(`${base}/nieuw`)) {
    app.get(path, edit, showAddForm);
    app.post(path, edit, postAdd);
  }
  for (const path of bothLocales(`${base}/:personId/bewerken`)) {
    app.get(path, edit, showEditForm);
    app.post(path, edit, postEdit);
  }
  for (const path of bothLocales(`${base}/:personId/verwijderen`)) {
    app.get(path, edit, showRemove);
    app.post(path, edit, postRemove);
  }
}

const notices = { toegevoegd: 'added', gewijzigd: 'updated', verwijderd: 'removed' } as const;
const personIdOf = (request: FastifyRequest) => (request.params as { personId: string }).personId;

async function showPersons(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config } = request.server.deps;
  const { caseFacts, persons } = await listPersons(
    db,
    config.secrets.encryptionKeys,
    caseId,
    caseWorkOf(request),
  );
  const query = request.query as Record<string, unknown>;
  const notice = (Object.keys(notices) as (keyof typeof notices)[]).find((key) => query[key] !== undefined);
  return sendPage(
    reply,
    <PersonsPage
      ctx={buildPageContext(request, reply)}
      caseFacts={caseFacts}
      persons={persons}
      notice={notice ? notices[notice] : undefined}
    />,
  );
}

interface FormState {
  caseFacts: CaseFacts;
  values: PersonFormValues;
  errors: FieldErrors;
  personId?: string;
  version?: number;
  conflict?: { mine: PersonInput; stored: Person };
}

function renderForm(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: FormState,
  status = 200,
) {
  const { caseFacts, personId } = state;
  const action = personId
    ? personPath(caseFacts.id, personId, 'bewerken')
    : `${personsPath(caseFacts.id)}/nieuw`;
  return sendPage(
    reply,
    <PersonFormPage
      ctx={ctx}
      caseFacts={caseFacts}
      mode={personId ? 'edit' : 'add'}
      action={action}
      values={state.values}
      errors={state.errors}
      csrfToken={issueCsrfToken(request, reply)}
      version={state.version}
      conflict={state.conflict}
    />,
    status,
  );
}

async function showAddForm(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const caseFacts = await caseFactsOf(request.server.deps.db, caseId);
  return renderForm(request, reply, buildPageContext(request, reply), { caseFacts, values: {}, errors: [] });
}

/** The submitted form checked: CSRF first, then the fields. Errors are in the page's language. */
function checkSubmission(request: FastifyRequest, ctx: PageContext) {
  const values = personFormValues(request.body);
  const errors: FieldErrors = [];
  const expired = !isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD]);
  if (expired) errors.push({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  const result = validatePerson(values);
  if (!result.ok) errors.push(...toFieldErrors(result.problems, ctx.t, personFieldOrder));
  return { values, errors, status: expired ? 403 : 400, person: result.ok ? result.person : undefined };
}

async function postAdd(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const { values, errors, status, person } = checkSubmission(request, ctx);
  if (errors.length > 0 || !person) {
    const caseFacts = await caseFactsOf(db, caseId);
    return renderForm(request, reply, ctx, { caseFacts, values, errors }, status);
  }
  await addPerson(db, config.secrets.encryptionKeys, caseId, person, caseWorkOf(request));
  return reply.redirect(`${ctx.href(personsPath(caseId))}?toegevoegd`, 303);
}

async function showEditForm(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config } = request.server.deps;
  const personId = personIdOf(request);
  const { caseFacts, person } = await readPerson(
    db,
    config.secrets.encryptionKeys,
    caseId,
    personId,
    caseWorkOf(request),
  );
  if (!person) return sendErrorPage(request, reply, 'not_found');
  return renderForm(request, reply, buildPageContext(request, reply), {
    caseFacts,
    values: formValuesOf(person),
    errors: [],
    personId,
    version: person.version,
  });
}

const versionOf = (body: unknown) => {
  const version = Number(normaliseForm(body).version);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
};

async function postEdit(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const personId = personIdOf(request);
  const version = versionOf(request.body);
  if (version === undefined) return sendErrorPage(request, reply, 'bad_request');
  const { values, errors, status, person } = checkSubmission(request, ctx);
  if (errors.length > 0 || !person) {
    const caseFacts = await caseFactsOf(db, caseId);
    return renderForm(request, reply, ctx, { caseFacts, values, errors, personId, version }, status);
  }
  const work = caseWorkOf(request);
  const result = await updatePerson(
    db,
    config.secrets.encryptionKeys,
    caseId,
    { personId, version, person },
    work,
  );
  if (result.outcome === 'missing') return sendErrorPage(request, reply, 'not_found');
  if (result.outcome === 'conflict') {
    // Nothing is lost: the form keeps what was typed and now saves over the version shown beside it.
    const caseFacts = await caseFactsOf(db, caseId);
    return renderForm(
      request,
      reply,
      ctx,
      {
        caseFacts,
        values,
        errors: [],
        personId,
        version: result.current.version,
        conflict: { mine: person, stored: result.current },
      },
      409,
    );
  }
  return reply.redirect(`${ctx.href(personsPath(caseId))}?gewijzigd`, 303);
}

async function showRemove(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const { db, config } = request.server.deps;
  const { caseFacts, person } = await readPerson(
    db,
    config.secrets.encryptionKeys,
    caseId,
    personIdOf(request),
    caseWorkOf(request),
  );
  if (!person) return sendErrorPage(request, reply, 'not_found');
  return sendPage(
    reply,
    <RemovePersonPage
      ctx={buildPageContext(request, reply)}
      caseFacts={caseFacts}
      person={person}
      csrfToken={issueCsrfToken(request, reply)}
    />,
  );
}

async function postRemove(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  if (!isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD])) {
    return sendErrorPage(request, reply, 'csrf_invalid');
  }
  const ctx = buildPageContext(request, reply);
  const removed = await removePerson(
    request.server.deps.db,
    caseId,
    personIdOf(request),
    caseWorkOf(request),
  );
  if (!removed) return sendErrorPage(request, reply, 'not_found');
  return reply.redirect(`${ctx.href(personsPath(caseId))}?verwijderd`, 303);
}
