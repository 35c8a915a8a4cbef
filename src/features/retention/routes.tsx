import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import type { Permission } from '../../web/policy.ts';
import { caseAuditEvent, recordAudit } from '../audit/audit-service.ts';
import { requireCase } from '../cases/case-access.ts';
import { caseWorkOf } from '../case-sections/case-section.ts';
import {
  HOLD_REASON_MAX,
  HOLD_REASON_MIN,
  liftLegalHold,
  placeLegalHold,
  readLegalHold,
  type HoldActor,
} from './legal-hold.ts';
import { countHeldCases, listRetentionRuns } from './queries.ts';
import { RETENTION_PATH, legalHoldLiftPath, legalHoldPath } from './paths.ts';
import { LegalHoldPage, RetentionPage } from './views.tsx';

/**
 * The retention overview (/beheer/bewaartermijnen: rules in force and the latest runs, counts only)
 * and a case's legal hold (/beheer/casussen/:id/bewaarplicht: place or lift, with a reason).
 */
export function registerRetentionRoutes(app: FastifyInstance): void {
  const rule = (permission: Permission) => ({ config: { permission } });
  for (const path of bothLocales(RETENTION_PATH)) app.get(path, rule('retention.view'), showRetention);
  for (const path of bothLocales(legalHoldPath(':id'))) {
    app.get(path, rule('cases.legal_hold'), showHold);
    app.post(path, rule('cases.legal_hold'), (request, reply) => postHold(request, reply, 'place'));
  }
  for (const path of bothLocales(legalHoldLiftPath(':id'))) {
    app.post(path, rule('cases.legal_hold'), (request, reply) => postHold(request, reply, 'lift'));
  }
}

async function showRetention(request: FastifyRequest, reply: FastifyReply) {
  const { db, config } = request.server.deps;
  return sendPage(
    reply,
    <RetentionPage
      ctx={buildPageContext(request, reply)}
      rules={config.retention}
      runs={await listRetentionRuns(db)}
      heldCases={await countHeldCases(db)}
    />,
  );
}

const holdActorOf = (request: FastifyRequest): HoldActor => {
  const work = caseWorkOf(request);
  return { userId: work.principal.userId, actor: work.actor, requestId: work.requestId };
};

/** The case's number and hold, read with an audit row (the page shows the hold's reason). */
async function readHoldPage(request: FastifyRequest, caseId: string) {
  const { db } = request.server.deps;
  const who = holdActorOf(request);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('case_file')
      .select('number')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    const hold = await readLegalHold(trx, caseId);
    await recordAudit(trx, caseAuditEvent(who.actor, who.requestId, caseId, 'case.legal_hold_read'));
    return { number: row.number, hold };
  });
}

const notices = { geplaatst: 'placed', opgeheven: 'lifted' } as const;

async function renderHold(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  caseId: string,
  form: { errors: FieldErrors; reason: string | undefined },
  status = 200,
) {
  const { number, hold } = await readHoldPage(request, caseId);
  const query = (request.query ?? {}) as Record<string, unknown>;
  const flag = (Object.keys(notices) as (keyof typeof notices)[]).find((key) => key in query);
  return sendPage(
    reply,
    <LegalHoldPage
      ctx={ctx}
      caseId={caseId}
      caseNumber={number}
      hold={hold}
      csrfToken={issueCsrfToken(request, reply)}
      errors={form.errors}
      reason={form.reason}
      notice={status === 200 && flag ? notices[flag] : undefined}
    />,
    status,
  );
}

async function showHold(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  return renderHold(request, reply, buildPageContext(request, reply), caseId, {
    errors: [],
    reason: undefined,
  });
}

/** The reason as typed, and what is wrong with it (required, HOLD_REASON_MIN to _MAX characters). */
function readReason(
  input: Record<string, unknown>,
  ctx: PageContext,
): { reason: string; errors: FieldErrors } {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason)
    return { reason, errors: [{ field: 'reason', message: ctx.t('retention.errors.reason_required') }] };
  // Characters as the database counts them (code points), so its check can never be the one to refuse.
  const length = Array.from(reason).length;
  if (length < HOLD_REASON_MIN || length > HOLD_REASON_MAX) {
    return {
      reason,
      errors: [
        {
          field: 'reason',
          message: ctx.t('retention.errors.reason_length', { min: HOLD_REASON_MIN, max: HOLD_REASON_MAX }),
        },
      ],
    };
  }
  return { reason, errors: [] };
}

async function postHold(request: FastifyRequest, reply: FastifyReply, step: 'place' | 'lift') {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const input = normaliseForm(request.body);
  const expired = !isValidCsrfToken(request, input[CSRF_FIELD]);
  const { reason, errors } = readReason(input, ctx);
  if (expired) errors.unshift({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  if (errors.length > 0)
    return renderHold(request, reply, ctx, caseId, { errors, reason }, expired ? 403 : 400);
  const { db, config } = request.server.deps;
  const keyRing = config.secrets.encryptionKeys;
  const who = holdActorOf(request);
  const result =
    step === 'place'
      ? await placeLegalHold(db, keyRing, who, caseId, reason)
      : await liftLegalHold(db, keyRing, who, caseId, reason);
  if (result === 'missing') return sendErrorPage(request, reply, 'not_found');
  if (result === 'name_in_reason') {
    const nameError = { field: 'reason', message: ctx.t('retention.errors.reason_has_name') };
    return renderHold(request, reply, ctx, caseId, { errors: [nameError], reason }, 400);
  }
  // 'unchanged' (someone else was quicker, or a double submit) lands on the page, which shows how it is now.
  const flag = result === 'done' ? (step === 'place' ? '?geplaatst' : '?opgeheven') : '';
  return reply.redirect(`${ctx.href(legalHoldPath(caseId))}${flag}`, 303);
}
