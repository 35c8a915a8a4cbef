import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { cookieName, cookieOptions } from '../../web/cookies.ts';
import { toFieldErrors, untrimmedField } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { hashSecret } from '../../crypto/passwords.ts';
import { STAFF_COOKIE, renewStaffSession } from '../auth/session-service.ts';
import { newPasswordProblems } from './password-policy.ts';
import { liveTokenUser, type StaffTokenPurpose } from './staff-tokens.ts';
import { acceptInvitation, resetPassword, type LinkResult } from './users-service.ts';
import { LinkInvalidPage, LinkPasswordPage, ResetDonePage } from './views.tsx';

/**
 * The pages behind the links in an invitation and a reset mail. Public: the person has no session
 * yet. The token is in the path only because it is a one-time random value, not personal data; the
 * request log records the route pattern, never the URL. A used, expired or unknown token gets one
 * and the same page.
 */
export function registerStaffLinkRoutes(app: FastifyInstance): void {
  const publicRoute = { config: { access: 'public' as const } };
  for (const path of bothLocales('/beheer/wachtwoord-herstellen/klaar'))
    app.get(path, publicRoute, showResetDone);
  for (const [purpose, base] of Object.entries(linkBases) as [StaffTokenPurpose, string][]) {
    for (const path of bothLocales(`${base}/:token`)) {
      app.get(path, publicRoute, (request, reply) => showLinkForm(request, reply, purpose));
      app.post(path, publicRoute, (request, reply) => submitLinkForm(request, reply, purpose));
    }
  }
}

const linkBases: Record<StaffTokenPurpose, string> = {
  invite: '/beheer/uitnodiging',
  reset: '/beheer/wachtwoord-herstellen',
};

const tokenOf = (request: FastifyRequest) => (request.params as { token: string }).token;

function linkInvalid(request: FastifyRequest, reply: FastifyReply) {
  return sendPage(reply, <LinkInvalidPage ctx={buildPageContext(request, reply)} />, 404);
}

function renderForm(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  purpose: StaffTokenPurpose,
  errors: FieldErrors,
  status = 200,
) {
  return sendPage(
    reply,
    <LinkPasswordPage
      ctx={ctx}
      purpose={purpose}
      action={ctx.href(`${linkBases[purpose]}/${tokenOf(request)}`)}
      errors={errors}
      csrfToken={issueCsrfToken(request, reply)}
    />,
    status,
  );
}

async function showLinkForm(request: FastifyRequest, reply: FastifyReply, purpose: StaffTokenPurpose) {
  const { config, db } = request.server.deps;
  if (!(await liveTokenUser(db, config.secrets.secretKey, tokenOf(request), purpose))) {
    return linkInvalid(request, reply);
  }
  return renderForm(request, reply, buildPageContext(request, reply), purpose, []);
}

async function submitLinkForm(request: FastifyRequest, reply: FastifyReply, purpose: StaffTokenPurpose) {
  const { config, db } = request.server.deps;
  const rootKey = config.secrets.secretKey;
  const token = tokenOf(request);
  if (!(await liveTokenUser(db, rootKey, token, purpose))) return linkInvalid(request, reply);
  const ctx = buildPageContext(request, reply);
  const body = request.body;
  if (!isValidCsrfToken(request, (body as Record<string, unknown> | undefined)?.[CSRF_FIELD])) {
    return renderForm(
      request,
      reply,
      ctx,
      purpose,
      [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }],
      403,
    );
  }
  const password = untrimmedField(body, 'password');
  const problems = newPasswordProblems(
    password || undefined,
    untrimmedField(body, 'password_repeat') || undefined,
  );
  if (problems.length > 0) {
    return renderForm(
      request,
      reply,
      ctx,
      purpose,
      toFieldErrors(problems, ctx.t, ['password', 'password_repeat']),
      400,
    );
  }
  // Hashed before the transaction, so no lock waits for argon2id.
  const passwordHash = await hashSecret(password);
  const complete = purpose === 'invite' ? acceptInvitation : resetPassword;
  const result: LinkResult = await complete(db, rootKey, token, passwordHash, request.id);
  if (result.status === 'invalid') return linkInvalid(request, reply);
  if (purpose === 'reset') {
    request.log.info({ event: 'users.password_reset', userId: result.userId }, 'password reset');
    return reply.redirect(ctx.href('/beheer/wachtwoord-herstellen/klaar'), 303);
  }
  // The password is set, which is the first step of a sign-in: straight on to enrolling TOTP, in a
  // new session (whatever session id the browser had is replaced).
  const sessionId = await renewStaffSession(
    db,
    request.cookies[cookieName(config, STAFF_COOKIE)],
    result.userId,
    'password',
  );
  reply.setCookie(cookieName(config, STAFF_COOKIE), sessionId, cookieOptions(config));
  request.log.info({ event: 'users.activated', userId: result.userId }, 'invitation accepted');
  return reply.redirect(ctx.href('/beheer/tweestaps-instellen'), 303);
}

function showResetDone(request: FastifyRequest, reply: FastifyReply) {
  return sendPage(reply, <ResetDonePage ctx={buildPageContext(request, reply)} />);
}
