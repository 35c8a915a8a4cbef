import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { toFieldErrors } from '../../web/form-validation.ts';
import type { StaffPrincipal } from '../../web/policy.ts';
import { parseSearch, searchAuditLog, searchFields, staffChoices, type SearchInput } from './audit-search.ts';
import { AuditSearchPage, searchQuery } from './views.tsx';

/**
 * The administrators' audit search (/beheer/audit, `audit.search`). A GET form: the filters are in
 * the query string, which holds ids and codes only, never names or case content.
 */
export function registerAuditRoutes(app: FastifyInstance): void {
  for (const path of bothLocales('/beheer/audit')) {
    app.get(path, { config: { permission: 'audit.search' as const } }, showAuditSearch);
  }
}

function signedIn(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

/** The filters as typed (trimmed, empty dropped); a repeated parameter counts as absent. */
function inputOf(request: FastifyRequest): SearchInput {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const input: SearchInput = {};
  for (const field of searchFields) {
    const value = query[field];
    if (typeof value === 'string' && value.trim() !== '') input[field] = value.trim();
  }
  return input;
}

function cursorOf(request: FastifyRequest): number | undefined {
  const value = (request.query as Record<string, unknown>).voor;
  const number = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
  return number !== undefined && number > 0 ? number : undefined;
}

async function showAuditSearch(request: FastifyRequest, reply: FastifyReply) {
  const staff = signedIn(request);
  const { db } = request.server.deps;
  const ctx = buildPageContext(request, reply);
  const input = inputOf(request);
  const people = await staffChoices(db);
  const parsed = parseSearch(input);
  if (!parsed.ok) {
    const errors = toFieldErrors(parsed.problems, ctx.t, searchFields);
    return sendPage(
      reply,
      <AuditSearchPage
        ctx={ctx}
        input={input}
        errors={errors}
        staff={people}
        events={undefined}
        names={new Map()}
        nextHref={undefined}
      />,
      400,
    );
  }
  const result = await searchAuditLog(
    db,
    { filters: parsed.filters, before: cursorOf(request) },
    { actor: { userId: staff.userId, role: staff.role }, requestId: request.id },
  );
  const nextHref =
    result.next !== undefined ? `${ctx.href('/beheer/audit')}${searchQuery(input, result.next)}` : undefined;
  return sendPage(
    reply,
    <AuditSearchPage
      ctx={ctx}
      input={input}
      errors={[]}
      staff={people}
      events={result.events}
      names={result.names}
      nextHref={nextHref}
    />,
  );
}
