import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { toFieldErrors } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { hashSecret } from '../../crypto/passwords.ts';
import { completeSetup, isUsableSetupToken } from './setup-service.ts';
import { readSetupForm, setupFieldOrder, validateSetupForm } from './setup-form.ts';
import { SetupDonePage, SetupFormPage, type SetupFormValues } from './views.tsx';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

/**
 * The one-time link for the first administrator. The token is only ever in the path, and the
 * request log records the route pattern (`/setup/:token`), never the URL. Anything wrong with the
 * token, including "already used", is an ordinary 404 page.
 */
export function registerSetupRoutes(app: FastifyInstance): void {
  // A static route wins over the parametric one, so "klaar" is never taken for a token.
  for (const path of bothLocales('/setup/klaar')) app.get(path, showDone);
  for (const path of bothLocales('/setup/:token')) {
    app.get<{ Params: { token: string } }>(path, showSetupForm);
    app.post<{ Params: { token: string } }>(path, submitSetupForm);
  }
}

async function showSetupForm(request: TokenRequest, reply: FastifyReply) {
  const { token } = request.params;
  if (!(await isUsableSetupToken(request.server.deps.db, token))) {
    return sendErrorPage(request, reply, 'not_found');
  }
  return renderForm(request, reply, buildPageContext(request, reply), { values: {}, errors: [] });
}

function renderForm(
  request: TokenRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: { values: SetupFormValues; errors: FieldErrors },
  status = 200,
) {
  return sendPage(
    reply,
    <SetupFormPage
      ctx={ctx}
      token={request.params.token}
      {...state}
      csrfToken={issueCsrfToken(request, reply)}
    />,
    status,
  );
}

async function submitSetupForm(request: TokenRequest, reply: FastifyReply) {
  const { db } = request.server.deps;
  const { token } = request.params;
  if (!(await isUsableSetupToken(db, token))) return sendErrorPage(request, reply, 'not_found');

  const ctx = buildPageContext(request, reply);
  const input = readSetupForm(request.body);
  // Name and e-mail address are kept on every error; passwords never go back into the page.
  const values: SetupFormValues = {
    display_name: typeof input.display_name === 'string' ? input.display_name : undefined,
    email: typeof input.email === 'string' ? input.email : undefined,
  };
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) {
    const errors = [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }];
    return renderForm(request, reply, ctx, { values, errors }, 403);
  }
  const validation = validateSetupForm(input);
  if (!validation.ok) {
    const errors = toFieldErrors(validation.problems, ctx.t, setupFieldOrder);
    return renderForm(request, reply, ctx, { values, errors }, 400);
  }

  // Hashed before the transaction, so no lock is held for the time argon2id takes.
  const passwordHash = await hashSecret(validation.value.password);
  const result = await completeSetup(db, token, {
    displayName: validation.value.display_name,
    email: validation.value.email,
    passwordHash,
  });
  if (result.status === 'invalid_token') return sendErrorPage(request, reply, 'not_found');
  if (result.status === 'email_taken') {
    const errors = [{ field: 'email', message: ctx.t('setup.errors.email_taken') }];
    return renderForm(request, reply, ctx, { values, errors }, 400);
  }
  request.log.info({ event: 'setup.admin_created', userId: result.userId }, 'first administrator created');
  return reply.redirect(ctx.href('/setup/klaar'), 303);
}

function showDone(request: FastifyRequest, reply: FastifyReply) {
  return sendPage(reply, <SetupDonePage ctx={buildPageContext(request, reply)} />);
}
