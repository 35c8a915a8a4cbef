import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { cookieName, cookieOptions } from '../../web/cookies.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { SourceThrottle, sleep } from '../../web/source-throttle.ts';
import type { StaffPrincipal } from '../../web/policy.ts';
import { isUuid } from '../../db/ids.ts';
import { recordFailedLogin, resetFailedLogins } from '../auth/login-service.ts';
import { startSession } from '../auth/session-cookie.ts';
import { auditLock, auditSignIn } from '../auth/sign-in-audit.ts';
import { nextSignInStep, pathOfStep, stageFor } from '../auth/sign-in-steps.ts';
import {
  CHALLENGE_TTL_MS,
  PASSKEY_NAME_MAX,
  finishAuthentication,
  finishRegistration,
  listPasskeys,
  relyingParty,
  removePasskey,
  startAuthentication,
  startRegistration,
} from './passkey-service.ts';
import {
  configurableRoles,
  rolesRequiringPasskey,
  saveRolesRequiringPasskey,
  type ConfigurableRole,
} from './role-settings-service.ts';
import { PasskeyEnrolmentPage, PasskeysPage, RoleSettingsPage } from './views.tsx';

/**
 * Passkeys: one's own list (/beheer/account/passkeys), registering the passkey a role requires during
 * sign-in (/beheer/passkey-instellen), signing in with one (/beheer/inloggen/passkey), and the
 * administrator's per-role rule (/beheer/instellingen/rollen). The options and verify endpoints speak
 * JSON to public/js/passkeys.js, with the CSRF token in the body's `_csrf`.
 */
export function registerPasskeyRoutes(app: FastifyInstance): void {
  const throttle = new SourceThrottle(app.deps.config.throttles.staffLogin);
  const own = { config: { permission: 'staff.account.own' as const } };
  const enrolling = { config: { access: 'passkey_enrolment' as const } };
  const publicRoute = { config: { access: 'public' as const } };
  const configManage = { config: { permission: 'config.manage' as const } };

  for (const path of bothLocales('/beheer/account/passkeys')) {
    app.get(path, own, showOwnPasskeys);
    app.post(path, own, (request, reply) =>
      verifyRegistration(
        request,
        reply,
        signedIn(request),
        () => `${buildPageContext(request, reply).href('/beheer/account/passkeys')}?toegevoegd`,
      ),
    );
  }
  for (const path of bothLocales('/beheer/account/passkeys/opties')) {
    app.post(path, own, (request, reply) => registrationOptions(request, reply, signedIn(request)));
  }
  for (const path of bothLocales('/beheer/account/passkeys/:id/verwijderen')) {
    app.post(path, own, removeOwnPasskey);
  }

  for (const path of bothLocales('/beheer/passkey-instellen')) {
    app.get(path, enrolling, showEnrolment);
    app.post(path, enrolling, (request, reply) =>
      verifyRegistration(request, reply, enrollingUser(request), () => completeEnrolment(request, reply)),
    );
  }
  for (const path of bothLocales('/beheer/passkey-instellen/opties')) {
    app.post(path, enrolling, (request, reply) =>
      registrationOptions(request, reply, enrollingUser(request)),
    );
  }

  for (const path of bothLocales('/beheer/inloggen/passkey/opties')) {
    app.post(path, publicRoute, authenticationOptions);
  }
  for (const path of bothLocales('/beheer/inloggen/passkey')) {
    app.post(path, publicRoute, (request, reply) => signInWithPasskey(request, reply, throttle));
  }

  for (const path of bothLocales('/beheer/instellingen/rollen')) {
    app.get(path, configManage, showRoleSettings);
    app.post(path, configManage, saveRoleSettings);
  }
}

function signedIn(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

function enrollingUser(request: FastifyRequest): StaffPrincipal {
  if (!request.pendingStaff) throw new Error('passkey enrolment route without the policy pre-handler');
  return request.pendingStaff;
}

// --- the JSON conversation with public/js/passkeys.js -------------------------------------------

/** The short-lived cookie naming the flow whose challenge waits in the database. */
const FLOW_COOKIE = 'baken_webauthn';

function setFlowCookie(request: FastifyRequest, reply: FastifyReply, flow: string): void {
  const { config } = request.server.deps;
  reply.setCookie(cookieName(config, FLOW_COOKIE), flow, {
    ...cookieOptions(config),
    maxAge: CHALLENGE_TTL_MS / 1000,
  });
}

/** The flow cookie's value; the cookie is cleared, as its challenge is used up by this request. */
function takeFlowCookie(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const { config } = request.server.deps;
  const name = cookieName(config, FLOW_COOKIE);
  const flow = request.cookies[name];
  reply.clearCookie(name, cookieOptions(config));
  return flow;
}

const jsonBody = (request: FastifyRequest): Record<string, unknown> =>
  request.body && typeof request.body === 'object' && !Array.isArray(request.body)
    ? (request.body as Record<string, unknown>)
    : {};

function jsonError(reply: FastifyReply, status: number, error: string, field?: string): FastifyReply {
  return reply.code(status).send(field ? { error, field } : { error });
}

/** The JSON endpoints take the form's CSRF token in the body, like a form would. */
function refusedCsrf(request: FastifyRequest, reply: FastifyReply, ctx: PageContext) {
  if (isValidCsrfToken(request, jsonBody(request)[CSRF_FIELD])) return undefined;
  return jsonError(reply, 403, ctx.t('validation.form_expired'));
}

/** A passkey's name: required, at most PASSKEY_NAME_MAX characters after trimming. */
function passkeyName(request: FastifyRequest, ctx: PageContext): { name: string } | { error: string } {
  const raw = jsonBody(request).name;
  const name = typeof raw === 'string' ? raw.replaceAll('\u0000', '').trim() : '';
  if (!name) return { error: ctx.t('passkeys.errors.name_required') };
  if (name.length > PASSKEY_NAME_MAX)
    return { error: ctx.t('validation.too_long', { max: PASSKEY_NAME_MAX }) };
  return { name };
}

async function registrationOptions(request: FastifyRequest, reply: FastifyReply, who: StaffPrincipal) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const refused = refusedCsrf(request, reply, ctx);
  if (refused) return refused;
  const named = passkeyName(request, ctx);
  if ('error' in named) return jsonError(reply, 400, named.error, 'name');
  const user = await db
    .selectFrom('staff_user')
    .select(['email', 'display_name'])
    .where('id', '=', who.userId)
    .executeTakeFirstOrThrow();
  const { options, flow } = await startRegistration(db, relyingParty(config), {
    id: who.userId,
    email: user.email,
    displayName: user.display_name,
  });
  setFlowCookie(request, reply, flow);
  return reply.send({ options });
}

async function verifyRegistration(
  request: FastifyRequest,
  reply: FastifyReply,
  who: StaffPrincipal,
  onAdded: () => string | Promise<string>,
) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const refused = refusedCsrf(request, reply, ctx);
  if (refused) return refused;
  const named = passkeyName(request, ctx);
  if ('error' in named) return jsonError(reply, 400, named.error, 'name');
  const outcome = await finishRegistration(db, relyingParty(config), {
    flow: takeFlowCookie(request, reply),
    user: { userId: who.userId, role: who.role },
    name: named.name,
    response: jsonBody(request).response,
    requestId: request.id,
  });
  if (outcome.status !== 'added') return jsonError(reply, 400, ctx.t('passkeys.errors.register_failed'));
  request.log.info({ event: 'auth.passkey_added', userId: who.userId }, 'passkey added');
  return reply.send({ redirect: await onAdded() });
}

async function authenticationOptions(request: FastifyRequest, reply: FastifyReply) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const refused = refusedCsrf(request, reply, ctx);
  if (refused) return refused;
  const { options, flow } = await startAuthentication(db, relyingParty(config));
  setFlowCookie(request, reply, flow);
  return reply.send({ options });
}

/**
 * Signing in with a passkey, from the login page or as the second factor: a user-verifying passkey
 * is both factors, so it gives a full session (with a new id). A failure counts towards the lock-out
 * of the account the passkey belongs to, like a wrong password.
 */
async function signInWithPasskey(request: FastifyRequest, reply: FastifyReply, throttle: SourceThrottle) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const source = throttle.sourceOf(request);
  const decision = throttle.begin(source);
  if (!decision.allowed) return jsonError(reply, 429, ctx.t('auth.login.too_many'));
  await sleep(decision.delayMs);
  const refused = refusedCsrf(request, reply, ctx);
  if (refused) {
    throttle.refund(source); // not a guess
    return refused;
  }
  const outcome = await finishAuthentication(db, relyingParty(config), {
    flow: takeFlowCookie(request, reply),
    response: jsonBody(request).response,
  });
  if (outcome.status === 'failed') {
    request.log.info({ event: 'auth.passkey_failed' }, 'passkey refused');
    const who = outcome.userId && outcome.role ? { userId: outcome.userId, role: outcome.role } : undefined;
    await auditSignIn(request, 'login.failure', who, { step: 'passkey' });
    if (who && !outcome.locked && (await recordFailedLogin(db, who.userId)))
      await auditLock(request, who.userId);
    return jsonError(reply, 400, ctx.t('passkeys.errors.sign_in_failed'));
  }
  throttle.refund(source);
  await resetFailedLogins(db, outcome.userId);
  const next = await nextSignInStep(db, outcome.userId, 'passkey');
  await startSession(request, reply, outcome.userId, stageFor(next));
  request.log.info({ event: 'auth.signed_in', userId: outcome.userId }, 'signed in with a passkey');
  await auditSignIn(request, 'login.success', outcome, { method: 'passkey' });
  return reply.send({ redirect: pathOfStep(next, ctx.locale) });
}

// --- one's own passkeys -------------------------------------------------------------------------

async function renderOwnPasskeys(
  request: FastifyRequest,
  reply: FastifyReply,
  state: { errors: FieldErrors; notice?: string | undefined },
  status = 200,
) {
  const ctx = buildPageContext(request, reply);
  const passkeys = await listPasskeys(request.server.deps.db, signedIn(request).userId);
  return sendPage(
    reply,
    <PasskeysPage ctx={ctx} passkeys={passkeys} csrfToken={issueCsrfToken(request, reply)} {...state} />,
    status,
  );
}

function showOwnPasskeys(request: FastifyRequest, reply: FastifyReply) {
  const { t } = buildPageContext(request, reply);
  const query = request.query as Record<string, unknown>;
  const notice =
    query.toegevoegd !== undefined
      ? t('passkeys.page.added')
      : query.verwijderd !== undefined
        ? t('passkeys.page.removed')
        : undefined;
  return renderOwnPasskeys(request, reply, { errors: [], notice });
}

async function removeOwnPasskey(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const ctx = buildPageContext(request, reply);
  const input = normaliseForm(request.body);
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) return sendErrorPage(request, reply, 'csrf_invalid');
  const { id } = request.params as { id: string };
  if (!isUuid(id)) return sendErrorPage(request, reply, 'not_found');
  const outcome = await removePasskey(request.server.deps.db, {
    user: { userId: staff.userId, role: staff.role },
    passkeyId: id,
    requestId: request.id,
  });
  if (outcome === 'not_found') return sendErrorPage(request, reply, 'not_found');
  if (outcome === 'last_required') {
    const errors = [{ field: FORM_LEVEL, message: ctx.t('passkeys.errors.last_required') }];
    return renderOwnPasskeys(request, reply, { errors }, 409);
  }
  request.log.info({ event: 'auth.passkey_removed', userId: staff.userId }, 'passkey removed');
  return reply.redirect(`${ctx.href('/beheer/account/passkeys')}?verwijderd`, 303);
}

// --- the passkey a role requires, during sign-in -----------------------------------------------

function showEnrolment(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  return sendPage(reply, <PasskeyEnrolmentPage ctx={ctx} csrfToken={issueCsrfToken(request, reply)} />);
}

/** The new passkey completes the sign-in: password, second factor and now the passkey. */
async function completeEnrolment(request: FastifyRequest, reply: FastifyReply): Promise<string> {
  const { db } = request.server.deps;
  const who = enrollingUser(request);
  const next = await nextSignInStep(db, who.userId, 'passkey');
  await startSession(request, reply, who.userId, stageFor(next));
  request.log.info({ event: 'auth.signed_in', userId: who.userId }, 'signed in');
  await auditSignIn(request, 'login.success', who, { method: 'second_factor_and_new_passkey' });
  return pathOfStep(next, buildPageContext(request, reply).locale);
}

// --- per-role rules (administrators) ------------------------------------------------------------

async function renderRoleSettings(
  request: FastifyRequest,
  reply: FastifyReply,
  state: { required?: readonly string[]; errors: FieldErrors; notice?: string | undefined },
  status = 200,
) {
  const ctx = buildPageContext(request, reply);
  const required = state.required ?? (await rolesRequiringPasskey(request.server.deps.db));
  return sendPage(
    reply,
    <RoleSettingsPage
      ctx={ctx}
      required={required}
      csrfToken={issueCsrfToken(request, reply)}
      errors={state.errors}
      notice={state.notice}
    />,
    status,
  );
}

function showRoleSettings(request: FastifyRequest, reply: FastifyReply) {
  const { t } = buildPageContext(request, reply);
  const saved = (request.query as Record<string, unknown>).opgeslagen !== undefined;
  return renderRoleSettings(request, reply, {
    errors: [],
    notice: saved ? t('passkeys.roles.saved') : undefined,
  });
}

const isConfigurableRole = (value: unknown): value is ConfigurableRole =>
  (configurableRoles as readonly unknown[]).includes(value);

async function saveRoleSettings(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const ctx = buildPageContext(request, reply);
  const input = normaliseForm(request.body, ['require_passkey']);
  const chosen = input.require_passkey as string[];
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) {
    const errors = [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }];
    return renderRoleSettings(request, reply, { required: chosen, errors }, 403);
  }
  if (!chosen.every(isConfigurableRole)) {
    const errors = [{ field: 'require_passkey', message: ctx.t('validation.invalid') }];
    return renderRoleSettings(request, reply, { required: chosen, errors }, 400);
  }
  await saveRolesRequiringPasskey(
    request.server.deps.db,
    chosen,
    { userId: staff.userId, role: staff.role },
    request.id,
  );
  return reply.redirect(`${ctx.href('/beheer/instellingen/rollen')}?opgeslagen`, 303);
}
