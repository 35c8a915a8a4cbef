import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm, untrimmedField } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { SourceThrottle, sleep } from '../../web/source-throttle.ts';
import { sessionOf, type StaffPrincipal } from '../../web/policy.ts';
import { auditLock, auditSignIn } from './sign-in-audit.ts';
import { checkPassword, recordFailedLogin, resetFailedLogins } from './login-service.ts';
import { endAllStaffSessions, endStaffSession } from './session-service.ts';
import { endSessionCookie, sessionCookie, startSession } from './session-cookie.ts';
import {
  confirmEnrolment,
  normaliseTotp,
  startEnrolment,
  useRecoveryCode,
  verifyTotp,
} from './second-factor-service.ts';
import {
  EnrolPage,
  LoginPage,
  RecoveryCodesPage,
  SecondFactorPage,
  StaffHomePage,
  type PasskeyChoice,
} from './views.tsx';
import { nextSignInStep, pathOfStep, stageFor, type SignInStep } from './sign-in-steps.ts';
import { hasPasskey } from '../passkeys/passkey-service.ts';

/**
 * Staff sign-in: password (/beheer/inloggen), then TOTP enrolment the first time
 * (/beheer/tweestaps-instellen) or a TOTP or recovery code (/beheer/tweestaps), then /beheer.
 * Every route declares its access rule; web/policy.ts enforces it.
 */
export function registerAuthRoutes(app: FastifyInstance): void {
  const throttle = new SourceThrottle(app.deps.config.throttles.staffLogin);
  const accountThrottle = new SourceThrottle(app.deps.config.throttles.staffLoginAccount);
  const publicRoute = { config: { access: 'public' as const } };
  const secondFactorRoute = { config: { access: 'second_factor' as const } };
  for (const path of bothLocales('/beheer/inloggen')) {
    app.get(path, publicRoute, showLogin);
    app.post(path, publicRoute, (request, reply) => logIn(request, reply, throttle, accountThrottle));
  }
  for (const path of bothLocales('/beheer/tweestaps-instellen')) {
    app.get(path, secondFactorRoute, showEnrolment);
    app.post(path, secondFactorRoute, (request, reply) => enrol(request, reply, throttle));
  }
  for (const path of bothLocales('/beheer/tweestaps')) {
    app.get(path, secondFactorRoute, showSecondFactor);
    app.post(path, secondFactorRoute, (request, reply) => checkSecondFactor(request, reply, throttle));
  }
  for (const path of bothLocales('/beheer')) {
    app.get(path, { config: { permission: 'staff.home' } }, showHome);
  }
  for (const path of bothLocales('/beheer/uitloggen')) app.post(path, publicRoute, logOut);
  for (const path of bothLocales('/beheer/overal-uitloggen')) {
    app.post(path, { config: { permission: 'staff.sessions.own' } }, logOutEverywhere);
  }
}

function pending(request: FastifyRequest): StaffPrincipal {
  if (!request.pendingStaff) throw new Error('second-factor route without the policy pre-handler');
  return request.pendingStaff;
}

function signedIn(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

// --- password -----------------------------------------------------------------------------------

function renderLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: { email?: string | undefined; errors: FieldErrors; notice?: string | undefined },
  status = 200,
) {
  return sendPage(
    reply,
    <LoginPage ctx={ctx} {...state} csrfToken={issueCsrfToken(request, reply)} />,
    status,
  );
}

async function showLogin(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const { session } = await sessionOf(request, reply);
  if (session?.stage === 'full') return reply.redirect(ctx.href('/beheer'), 303);
  const query = request.query as Record<string, unknown>;
  const notice =
    query.verlopen !== undefined
      ? ctx.t('auth.login.expired')
      : query.uitgelogd !== undefined
        ? ctx.t('auth.login.logged_out')
        : undefined;
  return renderLogin(request, reply, ctx, { errors: [], notice });
}

async function logIn(
  request: FastifyRequest,
  reply: FastifyReply,
  throttle: SourceThrottle,
  accountThrottle: SourceThrottle,
) {
  const { db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const input = normaliseForm(request.body);
  const email = typeof input.email === 'string' ? input.email : undefined;
  const password = untrimmedField(request.body, 'password');

  // Failures slow down, and in the end stop, both per source and per account.
  const source = throttle.sourceOf(request);
  const account = accountThrottle.keyOf((email ?? '').toLowerCase());
  const decision = throttle.begin(source);
  const accountDecision = accountThrottle.begin(account);
  const refund = () => {
    throttle.refund(source);
    accountThrottle.refund(account);
  };
  if (!decision.allowed || !accountDecision.allowed) {
    const errors = [{ field: FORM_LEVEL, message: ctx.t('auth.login.too_many') }];
    return renderLogin(request, reply, ctx, { email, errors }, 429);
  }
  await sleep(Math.max(decision.delayMs, accountDecision.delayMs));

  if (!isValidCsrfToken(request, input[CSRF_FIELD])) {
    refund(); // not a guess
    const errors = [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }];
    return renderLogin(request, reply, ctx, { email, errors }, 403);
  }
  const missing: FieldErrors = [
    ...(email ? [] : [{ field: 'email', message: ctx.t('auth.errors.email_required') }]),
    ...(password ? [] : [{ field: 'password', message: ctx.t('auth.errors.password_required') }]),
  ];
  if (missing.length > 0) {
    refund();
    return renderLogin(request, reply, ctx, { email, errors: missing }, 400);
  }

  const result = await checkPassword(db, email ?? '', password);
  if (result.status === 'failed') {
    // Neither the address nor anything typed is logged.
    request.log.info({ event: 'auth.login_failed' }, 'sign-in refused');
    await auditSignIn(request, 'login.failure', undefined, { step: 'password' });
    if (result.lockedNow) await auditLock(request, result.lockedNow);
    const errors = [{ field: FORM_LEVEL, message: ctx.t('auth.login.failed') }];
    return renderLogin(request, reply, ctx, { email, errors }, 400);
  }
  throttle.refund(source);
  // The right password ends the account's run of failures (as the failure count in the database).
  accountThrottle.forget(account);
  await startSession(request, reply, result.userId, 'password');
  request.log.info({ event: 'auth.password_accepted', userId: result.userId }, 'password accepted');
  const next = await nextSignInStep(db, result.userId, 'password');
  return reply.redirect(pathOfStep(next, ctx.locale), 303);
}

/**
 * After an accepted second factor: a full session, or (when the role requires a passkey) the session
 * of the next step. The session gets a new id either way; `login.success` is written only when the
 * user is signed in.
 */
async function afterSecondFactor(
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  method: 'totp' | 'recovery_code',
): Promise<SignInStep> {
  const { db } = request.server.deps;
  await resetFailedLogins(db, userId);
  const next = await nextSignInStep(db, userId, 'password_and_second_factor');
  await startSession(request, reply, userId, stageFor(next));
  if (next === 'done') {
    request.log.info({ event: 'auth.signed_in', userId }, 'signed in');
    await auditSignIn(request, 'login.success', pending(request), { with: method });
  } else {
    await auditSignIn(request, 'login.second_factor_accepted', pending(request), { with: method, next });
  }
  return next;
}

/** Sends a pending user whose step is not this page's to the page of their step. */
async function elsewhereUnless(request: FastifyRequest, reply: FastifyReply, step: SignInStep) {
  const next = await nextSignInStep(request.server.deps.db, pending(request).userId, 'password');
  if (next === step) return { next };
  return { answered: reply.redirect(pathOfStep(next, buildPageContext(request, reply).locale), 303) };
}

// --- second factor ------------------------------------------------------------------------------

/**
 * A failed second factor counts against the account. At the limit the pending session ends and the
 * login page says what any failed sign-in says; otherwise the caller shows its form again.
 */
async function lockedAfterFailure(request: FastifyRequest, reply: FastifyReply, userId: string) {
  const { db } = request.server.deps;
  request.log.info({ event: 'auth.second_factor_failed', userId }, 'second factor refused');
  await auditSignIn(request, 'login.failure', pending(request), { step: 'second_factor' });
  if (!(await recordFailedLogin(db, userId))) return false;
  await auditLock(request, userId);
  await endStaffSession(db, sessionCookie(request));
  endSessionCookie(request, reply);
  return true;
}

const lockedOut = (request: FastifyRequest, reply: FastifyReply, ctx: PageContext) =>
  renderLogin(
    request,
    reply,
    ctx,
    { errors: [{ field: FORM_LEVEL, message: ctx.t('auth.login.failed') }] },
    400,
  );

async function enrolmentFor(request: FastifyRequest, userId: string) {
  const { config, db } = request.server.deps;
  const user = await db
    .selectFrom('staff_user')
    .select('email')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return startEnrolment(db, config.secrets, {
    id: userId,
    label: user.email,
    issuer: `Baken ${config.region.name}`,
  });
}

async function showEnrolment(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const step = await elsewhereUnless(request, reply, 'enrol_totp');
  if (step.answered) return step.answered;
  const enrolment = await enrolmentFor(request, pending(request).userId);
  if (!enrolment) return reply.redirect(ctx.href('/beheer/tweestaps'), 303);
  return sendPage(
    reply,
    <EnrolPage ctx={ctx} enrolment={enrolment} errors={[]} csrfToken={issueCsrfToken(request, reply)} />,
  );
}

async function enrol(request: FastifyRequest, reply: FastifyReply, throttle: SourceThrottle) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const { userId } = pending(request);
  const step = await elsewhereUnless(request, reply, 'enrol_totp');
  if (step.answered) return step.answered;
  const enrolment = await enrolmentFor(request, userId);
  if (!enrolment) return reply.redirect(ctx.href('/beheer/tweestaps'), 303);
  const input = normaliseForm(request.body);
  const code = typeof input.code === 'string' ? input.code : '';
  const fail = (errors: FieldErrors, status: number) =>
    sendPage(
      reply,
      <EnrolPage
        ctx={ctx}
        enrolment={enrolment}
        errors={errors}
        csrfToken={issueCsrfToken(request, reply)}
      />,
      status,
    );

  const admitted = await admitCodeAttempt(request, reply, throttle, input, fail);
  if ('answered' in admitted) return admitted.answered;
  const { source } = admitted;
  const codes = await confirmEnrolment(db, config.secrets, userId, code);
  if (!codes) {
    if (await lockedAfterFailure(request, reply, userId)) return lockedOut(request, reply, ctx);
    return fail([{ field: 'code', message: ctx.t('auth.errors.code_invalid') }], 400);
  }
  throttle.refund(source);
  request.log.info({ event: 'auth.totp_enrolled', userId }, 'two-step verification set up');
  await auditSignIn(request, 'mfa.enrolled', pending(request));
  const next = await afterSecondFactor(request, reply, userId, 'totp');
  return sendPage(
    reply,
    <RecoveryCodesPage ctx={ctx} codes={codes} continueTo={pathOfStep(next, ctx.locale)} />,
  );
}

/**
 * What every second-factor form checks before looking at the code: the per-source limit (with its
 * pause), the form's CSRF token, and that a code was typed. A refused form costs no attempt.
 */
async function admitCodeAttempt(
  request: FastifyRequest,
  reply: FastifyReply,
  throttle: SourceThrottle,
  input: Record<string, unknown>,
  fail: (errors: FieldErrors, status: number) => FastifyReply,
): Promise<{ source: string } | { answered: FastifyReply }> {
  const ctx = buildPageContext(request, reply);
  const source = throttle.sourceOf(request);
  const decision = throttle.begin(source);
  if (!decision.allowed) return { answered: sendErrorPage(request, reply, 'rate_limited') };
  await sleep(decision.delayMs);
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) {
    throttle.refund(source);
    return { answered: fail([{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }], 403) };
  }
  if (typeof input.code !== 'string' || !input.code) {
    throttle.refund(source);
    return { answered: fail([{ field: 'code', message: ctx.t('auth.errors.code_required') }], 400) };
  }
  return { source };
}

/** Whether the second-factor page offers the passkey: only it, beside the codes, or not at all. */
async function passkeyChoice(request: FastifyRequest, next: SignInStep): Promise<PasskeyChoice> {
  if (next === 'use_passkey') return 'only';
  return (await hasPasskey(request.server.deps.db, pending(request).userId)) ? 'offered' : 'none';
}

function secondFactorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  passkey: PasskeyChoice,
  errors: FieldErrors,
  status = 200,
) {
  const ctx = buildPageContext(request, reply);
  return sendPage(
    reply,
    <SecondFactorPage
      ctx={ctx}
      errors={errors}
      csrfToken={issueCsrfToken(request, reply)}
      passkey={passkey}
    />,
    status,
  );
}

async function showSecondFactor(request: FastifyRequest, reply: FastifyReply) {
  const { db } = request.server.deps;
  const next = await nextSignInStep(db, pending(request).userId, 'password');
  if (next !== 'second_factor' && next !== 'use_passkey') {
    return reply.redirect(pathOfStep(next, buildPageContext(request, reply).locale), 303);
  }
  return secondFactorPage(request, reply, await passkeyChoice(request, next), []);
}

async function checkSecondFactor(request: FastifyRequest, reply: FastifyReply, throttle: SourceThrottle) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const { userId } = pending(request);
  // When the role requires a passkey and the user has one, a code is not accepted at all.
  const step = await elsewhereUnless(request, reply, 'second_factor');
  if (step.answered) return step.answered;
  const input = normaliseForm(request.body);
  const code = typeof input.code === 'string' ? input.code : '';
  const passkey = await passkeyChoice(request, step.next);
  const fail = (errors: FieldErrors, status: number) =>
    secondFactorPage(request, reply, passkey, errors, status);

  const admitted = await admitCodeAttempt(request, reply, throttle, input, fail);
  if ('answered' in admitted) return admitted.answered;
  const { source } = admitted;
  const accepted = normaliseTotp(code)
    ? await verifyTotp(db, config.secrets, userId, code)
    : await useRecoveryCode(db, config.secrets, userId, code);
  if (!accepted) {
    if (await lockedAfterFailure(request, reply, userId)) return lockedOut(request, reply, ctx);
    return fail([{ field: 'code', message: ctx.t('auth.errors.second_factor_invalid') }], 400);
  }
  throttle.refund(source);
  const next = await afterSecondFactor(
    request,
    reply,
    userId,
    normaliseTotp(code) ? 'totp' : 'recovery_code',
  );
  return reply.redirect(pathOfStep(next, ctx.locale), 303);
}

// --- signed in ----------------------------------------------------------------------------------

function showHome(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const ctx = buildPageContext(request, reply);
  return sendPage(
    reply,
    <StaffHomePage
      ctx={ctx}
      name={staff.displayName}
      role={staff.role}
      csrfToken={issueCsrfToken(request, reply)}
    />,
  );
}

/**
 * Ends this session. Needs no valid CSRF token: signing out is always safe, and must work from a page
 * whose form token expired.
 */
async function logOut(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const { session } = await sessionOf(request, reply);
  if (session) await auditSignIn(request, 'logout.done', session);
  await endStaffSession(request.server.deps.db, sessionCookie(request));
  endSessionCookie(request, reply);
  reply.header('clear-site-data', '"cache", "storage"');
  return reply.redirect(`${ctx.href('/beheer/inloggen')}?uitgelogd`, 303);
}

/** Ends every session of the signed-in user, on every device. */
async function logOutEverywhere(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const input = normaliseForm(request.body);
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) return sendErrorPage(request, reply, 'csrf_invalid');
  const ctx = buildPageContext(request, reply);
  const ended = await endAllStaffSessions(request.server.deps.db, staff.userId);
  await auditSignIn(request, 'logout.everywhere', staff, { sessions: String(ended) });
  request.log.info(
    { event: 'auth.signed_out_everywhere', userId: staff.userId, ended },
    'signed out everywhere',
  );
  endSessionCookie(request, reply);
  reply.header('clear-site-data', '"cache", "storage"');
  return reply.redirect(`${ctx.href('/beheer/inloggen')}?uitgelogd`, 303);
}
