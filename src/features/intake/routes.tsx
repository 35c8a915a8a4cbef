import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { cookieName, cookieOptions } from '../../web/cookies.ts';
import { readForm } from '../../web/multipart.ts';
import { normaliseForm, toFieldErrors, type FormProblem } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import {
  SourceThrottle,
  createSharedThrottle,
  sleep,
  type SharedThrottle,
} from '../../web/source-throttle.ts';
import { ConcurrencyLimit } from '../../web/concurrency.ts';
import { reportArrayFields, reportFieldOrder, validateReportForm } from './report-form.ts';
import { issueSubmissionKey, openSubmissionKey, readSubmissionKey } from './submission-key.ts';
import { CHALLENGE_FIELD, SOLUTION_FIELD, checkProofOfWork, issueChallenge } from './proof-of-work.ts';
import { submitReport, takeReceiptForDisplay } from './intake-service.ts';
import { findReportByReceipt } from './receipt.ts';
import {
  addReporterMessage,
  closeMailboxSession,
  openMailboxSession,
  readMailbox,
  resumeMailboxSession,
} from './mailbox-service.ts';
import { processUploads, type UploadProblem } from './uploads.ts';
import { StartPage } from './views/start.tsx';
import { ReportFormPage } from './views/report-form.tsx';
import { ConfirmationPage } from './views/confirmation.tsx';
import { MailboxLoginPage, MailboxPage } from './views/mailbox.tsx';

const RECEIPT_COOKIE = 'baken_receipt';
const MAILBOX_COOKIE = 'baken_mailbox';

/**
 * Forms with files are read whole into memory, so only a few are read at once; the rest wait their
 * turn with their bodies still in the network buffers, and past that they are told to come back.
 */
const uploadSlots = new ConcurrencyLimit(4, 50);

/** Reports and reporter messages from one source; reports without the proof of work, more tightly. */
interface SubmissionThrottles {
  all: SharedThrottle;
  unsolved: SharedThrottle;
}

export function registerIntakeRoutes(app: FastifyInstance): void {
  const { throttles } = app.deps.config;
  const loginThrottle = new SourceThrottle(throttles.receiptLogin);
  const submissionThrottles: SubmissionThrottles = {
    all: createSharedThrottle(app, 'intake-submission', throttles.intakeSubmission),
    unsolved: createSharedThrottle(app, 'intake-unsolved', throttles.intakeUnsolved),
  };
  const withUploadSlot =
    (
      handler: (
        request: FastifyRequest,
        reply: FastifyReply,
        throttles: SubmissionThrottles,
      ) => Promise<FastifyReply>,
    ) =>
    (request: FastifyRequest, reply: FastifyReply) =>
      uploadSlots.run(() => handler(request, reply, submissionThrottles));
  for (const path of bothLocales('/melden')) {
    app.get(path, (request, reply) => showStart(request, reply, []));
    app.post(path, answerDangerQuestion);
  }
  for (const path of bothLocales('/melden/versturen')) app.post(path, withUploadSlot(submitReportForm));
  for (const path of bothLocales('/melden/ontvangen')) app.get(path, showConfirmation);
  for (const path of bothLocales('/mijn-melding')) {
    app.get(path, showMailboxLogin);
    app.post(path, (request, reply) => logInWithReceipt(request, reply, loginThrottle));
  }
  for (const path of bothLocales('/mijn-melding/berichten')) {
    app.get(path, showMailbox);
    app.post(path, withUploadSlot(postReporterMessage));
  }
  for (const path of bothLocales('/mijn-melding/sluiten')) app.post(path, closeMailbox);
}

function showStart(request: FastifyRequest, reply: FastifyReply, errors: FieldErrors, status = 200) {
  const ctx = buildPageContext(request, reply);
  return sendPage(
    reply,
    <StartPage ctx={ctx} errors={errors} csrfToken={issueCsrfToken(request, reply)} />,
    status,
  );
}

function answerDangerQuestion(request: FastifyRequest, reply: FastifyReply) {
  const input = normaliseForm(request.body);
  const ctx = buildPageContext(request, reply);
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) {
    return showStart(request, reply, [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }], 403);
  }
  if (input.acute_danger !== 'yes' && input.acute_danger !== 'no') {
    return showStart(
      request,
      reply,
      [{ field: 'acute_danger', message: ctx.t('intake.danger.required') }],
      400,
    );
  }
  return showReportForm(request, reply, ctx, {
    values: {},
    errors: [],
    acuteDanger: input.acute_danger,
    submissionKey: issueSubmissionKey(request.server.deps.config.secrets.secretKey),
  });
}

async function showReportForm(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: {
    values: Record<string, unknown>;
    errors: FieldErrors;
    acuteDanger: 'yes' | 'no';
    submissionKey: string;
  },
  status = 200,
) {
  const { secretKey } = request.server.deps.config.secrets;
  // A fresh challenge for the same form: a page shown again gets its full time to be solved.
  const challenge = await issueChallenge(secretKey, openSubmissionKey(secretKey, state.submissionKey) ?? '');
  return sendPage(
    reply,
    <ReportFormPage
      ctx={ctx}
      {...state}
      challenge={challenge}
      csrfToken={issueCsrfToken(request, reply)}
      limits={request.server.deps.config.intake}
    />,
    status,
  );
}

/**
 * Whether a report may be stored as far as abuse goes: solved proof of work, or (without
 * JavaScript) a form handed out long enough ago and a source that has not sent many such reports.
 */
async function judgeProofOfWork(
  request: FastifyRequest,
  throttles: SubmissionThrottles,
  input: Record<string, unknown>,
  submissionKey: { id: string; issuedAt: number },
): Promise<{ verdict: 'ok' | 'wait' | 'stale' | 'too_many'; refund?: () => Promise<void> }> {
  const { config } = request.server.deps;
  const pow = await checkProofOfWork(
    config.secrets.secretKey,
    submissionKey.id,
    input[CHALLENGE_FIELD],
    input[SOLUTION_FIELD],
  );
  if (pow === 'solved') return { verdict: 'ok' };
  if (pow !== 'absent') return { verdict: 'wait' };
  const age = Date.now() - submissionKey.issuedAt;
  if (age < config.intake.unsolvedMinAgeMs) return { verdict: 'wait' };
  if (age > config.intake.unsolvedMaxAgeMs) return { verdict: 'stale' };
  const { source, decision } = await throttles.unsolved.begin(request);
  if (!decision.allowed) return { verdict: 'too_many' };
  return { verdict: 'ok', refund: () => throttles.unsolved.refund(source) };
}

async function submitReportForm(
  request: FastifyRequest,
  reply: FastifyReply,
  throttles: SubmissionThrottles,
) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const form = await readForm(request, config.intake.maxFiles);
  const input = normaliseForm(form.fields, reportArrayFields);
  const acuteDanger = input.acute_danger === 'yes' ? 'yes' : 'no';
  const openedKey = readSubmissionKey(config.secrets.secretKey, input.submission_key);
  const submissionKey = openedKey?.id;
  const expired = !isValidCsrfToken(request, input[CSRF_FIELD]) || !submissionKey;
  const tooManyAll = !(await throttles.all.begin(request)).decision.allowed;
  // Checked before the files, which are the costly part; a refused form is never stored.
  const pow =
    expired || tooManyAll
      ? { verdict: 'ok' as const }
      : await judgeProofOfWork(request, throttles, input, openedKey);
  const tooMany = tooManyAll || pow.verdict === 'too_many';
  const mustWait = pow.verdict === 'wait' || pow.verdict === 'stale';

  const validation = validateReportForm(config.region, config.intake, input);
  // Files are only examined for a form that may be stored: checking them is the costly part.
  const uploads =
    expired || tooMany || mustWait ? { files: [], problems: [] } : await processUploads(form, config.intake);
  const problems: FormProblem[] = validation.ok ? [] : validation.problems;
  for (const field of form.truncatedFields) {
    if (!problems.some((p) => p.field === field)) {
      problems.push({ field, kind: 'too_long', messageKey: 'intake.errors.field_truncated' });
    }
  }

  if (
    expired ||
    tooMany ||
    mustWait ||
    !validation.ok ||
    problems.length > 0 ||
    uploads.problems.length > 0
  ) {
    // A form sent back to be corrected does not use up one of the source's reports without the work.
    await pow.refund?.();
    const errors = [
      ...(expired ? [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }] : []),
      ...(tooMany ? [{ field: FORM_LEVEL, message: ctx.t('intake.errors.too_many_submissions') }] : []),
      ...(mustWait ? [{ field: FORM_LEVEL, message: ctx.t('intake.errors.wait_and_resend') }] : []),
      ...toFieldErrors(problems, ctx.t, reportFieldOrder),
      ...fileErrors(ctx, form.files.length > 0, uploads.problems),
    ];
    return showReportForm(
      request,
      reply,
      ctx,
      {
        values: input,
        errors,
        acuteDanger,
        // A stale form gets a new key, whose minimum age then starts again.
        submissionKey:
          submissionKey && pow.verdict !== 'stale'
            ? String(input.submission_key)
            : issueSubmissionKey(config.secrets.secretKey),
      },
      expired ? 403 : tooMany ? 429 : 400,
    );
  }

  await submitReport(db, config.secrets, {
    form: validation.value,
    submissionKey,
    language: ctx.locale,
    consentVersion: config.intake.consentVersion,
    files: uploads.files,
  });
  // The confirmation page finds the report through this cookie, never through the URL.
  reply.setCookie(cookieName(config, RECEIPT_COOKIE), String(input.submission_key), cookieOptions(config));
  return reply.redirect(ctx.href('/melden/ontvangen'), 303);
}

/** One summary line for all file problems; files must be chosen again after any error. */
function fileErrors(ctx: PageContext, hadFiles: boolean, problems: UploadProblem[]): FieldErrors {
  const messages = problems.map((p) => ctx.t(p.messageKey, p.values));
  if (hadFiles) messages.push(ctx.t('intake.errors.files_not_kept'));
  return messages.length > 0 ? [{ field: 'files', message: messages.join(' ') }] : [];
}

async function showConfirmation(request: FastifyRequest, reply: FastifyReply) {
  const { config, db } = request.server.deps;
  const name = cookieName(config, RECEIPT_COOKIE);
  const submissionKey = openSubmissionKey(config.secrets.secretKey, request.cookies[name]);
  const state = submissionKey
    ? await takeReceiptForDisplay(db, config.secrets, submissionKey)
    : ({ status: 'unknown' } as const);
  reply.clearCookie(name, cookieOptions(config));
  return sendPage(reply, <ConfirmationPage ctx={buildPageContext(request, reply)} state={state} />);
}

async function showMailboxLogin(request: FastifyRequest, reply: FastifyReply) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const sessionCookie = request.cookies[cookieName(config, MAILBOX_COOKIE)];
  if (await resumeMailboxSession(db, sessionCookie))
    return reply.redirect(ctx.href('/mijn-melding/berichten'), 303);
  const notice = sessionCookie ? ctx.t('mailbox.expired') : undefined;
  if (sessionCookie) reply.clearCookie(cookieName(config, MAILBOX_COOKIE), cookieOptions(config));
  return sendPage(
    reply,
    <MailboxLoginPage ctx={ctx} errors={[]} csrfToken={issueCsrfToken(request, reply)} notice={notice} />,
  );
}

async function logInWithReceipt(request: FastifyRequest, reply: FastifyReply, throttle: SourceThrottle) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const source = throttle.sourceOf(request);
  const decision = throttle.begin(source);
  if (!decision.allowed) return sendErrorPage(request, reply, 'rate_limited');
  await sleep(decision.delayMs);

  const input = normaliseForm(request.body);
  const pendingBody = typeof input.pending_body === 'string' ? input.pending_body : undefined;
  const fail = (message: string, status: number) =>
    sendPage(
      reply,
      <MailboxLoginPage
        ctx={ctx}
        errors={[{ field: 'code', message }]}
        csrfToken={issueCsrfToken(request, reply)}
        pendingBody={pendingBody}
      />,
      status,
    );
  if (!isValidCsrfToken(request, input[CSRF_FIELD])) {
    throttle.refund(source); // not a guess at a code
    return fail(ctx.t('validation.form_expired'), 403);
  }

  const reportId = await findReportByReceipt(
    db,
    config.secrets.secretKey,
    typeof input.code === 'string' ? input.code : '',
  );
  if (!reportId) return fail(ctx.t('mailbox.login.invalid'), 400);
  throttle.refund(source);
  await closeMailboxSession(db, request.cookies[cookieName(config, MAILBOX_COOKIE)]);
  const sessionId = await openMailboxSession(db, reportId);
  reply.setCookie(cookieName(config, MAILBOX_COOKIE), sessionId, cookieOptions(config));
  // A message begun before the session ran out comes back, unsent, for the reporter to send.
  if (pendingBody)
    return renderMailbox(request, reply, ctx, reportId, {
      errors: [],
      values: { body: pendingBody },
      sent: false,
    });
  return reply.redirect(ctx.href('/mijn-melding/berichten'), 303);
}

async function currentMailbox(request: FastifyRequest): Promise<string | undefined> {
  const { config, db } = request.server.deps;
  return resumeMailboxSession(db, request.cookies[cookieName(config, MAILBOX_COOKIE)]);
}

async function showMailbox(request: FastifyRequest, reply: FastifyReply) {
  const reportId = await currentMailbox(request);
  const ctx = buildPageContext(request, reply);
  if (!reportId) return reply.redirect(ctx.href('/mijn-melding'), 303);
  const sent = (request.query as Record<string, unknown>).verzonden !== undefined;
  return renderMailbox(request, reply, ctx, reportId, { errors: [], values: {}, sent });
}

async function renderMailbox(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  reportId: string,
  state: { errors: FieldErrors; values: { body?: string | undefined }; sent: boolean },
  status = 200,
) {
  const { db, config } = request.server.deps;
  const mailbox = await readMailbox(db, reportId);
  return sendPage(
    reply,
    <MailboxPage
      ctx={ctx}
      mailbox={mailbox}
      {...state}
      csrfToken={issueCsrfToken(request, reply)}
      maxMessageChars={config.intake.maxMessageChars}
    />,
    status,
  );
}

async function postReporterMessage(
  request: FastifyRequest,
  reply: FastifyReply,
  throttles: SubmissionThrottles,
) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const reportId = await currentMailbox(request);
  // Drain the upload even when refusing it, so the client gets the answer instead of a reset.
  const form = await readForm(request, config.intake.maxFiles);
  const input = normaliseForm(form.fields);
  const body = typeof input.body === 'string' ? input.body : '';
  if (!reportId) {
    // The session ran out while the message was written: log in again, and the text comes back.
    return sendPage(
      reply,
      <MailboxLoginPage
        ctx={ctx}
        errors={[]}
        csrfToken={issueCsrfToken(request, reply)}
        notice={ctx.t('mailbox.expired_message_kept')}
        pendingBody={body.slice(0, config.intake.maxMessageChars)}
      />,
      401,
    );
  }

  const expired = !isValidCsrfToken(request, input[CSRF_FIELD]);
  const tooMany = !(await throttles.all.begin(request)).decision.allowed;
  const uploads =
    expired || tooMany ? { files: [], problems: [] } : await processUploads(form, config.intake);
  const errors: FieldErrors = [];
  if (expired) errors.push({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  if (tooMany) errors.push({ field: FORM_LEVEL, message: ctx.t('intake.errors.too_many_submissions') });
  if (body.length > config.intake.maxMessageChars || form.truncatedFields.includes('body')) {
    errors.push({
      field: 'body',
      message: ctx.t('validation.too_long', { max: config.intake.maxMessageChars }),
    });
  } else if (!body && form.files.length === 0) {
    errors.push({ field: 'body', message: ctx.t('mailbox.message_required') });
  }
  errors.push(
    ...fileErrors(
      ctx,
      form.files.length > 0 && errors.length + uploads.problems.length > 0,
      uploads.problems,
    ),
  );
  if (errors.length > 0) {
    return renderMailbox(request, reply, ctx, reportId, { errors, values: { body }, sent: false }, 400);
  }
  await addReporterMessage(db, config.secrets.encryptionKeys, { reportId, body, files: uploads.files });
  return reply.redirect(`${ctx.href('/mijn-melding/berichten')}?verzonden`, 303);
}

/**
 * Ends the session and asks the browser to forget everything this site stored. Needs no CSRF check:
 * closing is always safe, and must work even from a page whose form token expired.
 */
async function closeMailbox(request: FastifyRequest, reply: FastifyReply) {
  const { config, db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  await closeMailboxSession(db, request.cookies[cookieName(config, MAILBOX_COOKIE)]);
  reply.clearCookie(cookieName(config, MAILBOX_COOKIE), cookieOptions(config));
  reply.header('clear-site-data', '"cache", "cookies", "storage"');
  return reply.redirect(ctx.href('/'), 303);
}
