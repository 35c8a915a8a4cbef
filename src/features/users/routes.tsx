import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext, type PageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm, toFieldErrors, type FormProblem } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import type { StaffPrincipal } from '../../web/policy.ts';
import { isUuid } from '../../db/ids.ts';
import { notifyMailQueued } from '../mail/delivery.ts';
import {
  changeRoleAndTeam,
  createTeam,
  findStaff,
  findTeam,
  inviteStaff,
  listStaff,
  listTeams,
  renameTeam,
  resendInvitation,
  sendResetLink,
  setDisabled,
  unlockStaff,
  type AdminActionResult,
  type AdminContext,
} from './users-service.ts';
import { validateInvite, validateRoleChange, validateTeamName } from './users-forms.ts';
import {
  InvitePage,
  TeamPage,
  TeamsPage,
  UserPage,
  UsersPage,
  inviteFieldOrder,
  type InviteValues,
} from './views.tsx';

/**
 * Staff accounts for administrators (`users.manage`): the list, invitations, one user's page with
 * role and team, access (resend invitation, unlock, reset link, disable or enable), and teams.
 * Every change is a POST with a CSRF token, then a redirect to a page that says what happened.
 */
export function registerUsersRoutes(app: FastifyInstance): void {
  const manage = { config: { permission: 'users.manage' as const } };
  for (const path of bothLocales('/beheer/gebruikers')) app.get(path, manage, showUsers);
  for (const path of bothLocales('/beheer/gebruikers/uitnodigen')) {
    app.get(path, manage, showInvite);
    app.post(path, manage, postInvite);
  }
  for (const path of bothLocales('/beheer/gebruikers/:id')) app.get(path, manage, showUser);
  for (const path of bothLocales('/beheer/gebruikers/:id/rol')) app.post(path, manage, postRoleChange);
  for (const [segment, action] of Object.entries(userActions)) {
    for (const path of bothLocales(`/beheer/gebruikers/:id/${segment}`)) {
      app.post(path, manage, (request, reply) => postUserAction(request, reply, action));
    }
  }
  for (const path of bothLocales('/beheer/teams')) {
    app.get(path, manage, showTeams);
    app.post(path, manage, postTeam);
  }
  for (const path of bothLocales('/beheer/teams/:id')) {
    app.get(path, manage, showTeam);
    app.post(path, manage, postTeamRename);
  }
}

/** Confirmations shown after a redirect; anything else in the query is ignored. */
const notices = [
  'invited',
  'resent',
  'role_changed',
  'disabled',
  'enabled',
  'unlocked',
  'reset_sent',
  'team_created',
  'team_renamed',
] as const;
type Notice = (typeof notices)[number];

function noticeOf(request: FastifyRequest, ctx: PageContext): string | undefined {
  const done = (request.query as Record<string, unknown>).gedaan;
  return typeof done === 'string' && (notices as readonly string[]).includes(done)
    ? ctx.t(`users.notice.${done}`)
    : undefined;
}

const redirectWithNotice = (reply: FastifyReply, ctx: PageContext, path: string, notice: Notice) =>
  reply.redirect(`${ctx.href(path)}?gedaan=${notice}`, 303);

function signedIn(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw new Error('staff route without the policy pre-handler');
  return request.staff;
}

function adminContext(request: FastifyRequest): AdminContext {
  const staff = signedIn(request);
  const { config, translators } = request.server.deps;
  return {
    actor: { userId: staff.userId, role: staff.role },
    requestId: request.id,
    rootKey: config.secrets.secretKey,
    publicUrl: config.publicUrl,
    translators,
    regionName: config.region.name,
  };
}

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** The form's fields, or an answer already sent for an expired form (kept values shown again). */
function formInput(request: FastifyRequest, ctx: PageContext) {
  const input = normaliseForm(request.body);
  const expired = !isValidCsrfToken(request, input[CSRF_FIELD]);
  return {
    input,
    expiredErrors: expired ? [{ field: FORM_LEVEL, message: ctx.t('validation.form_expired') }] : [],
  };
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

// --- list and invitation -------------------------------------------------------------------------

async function showUsers(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const users = await listStaff(request.server.deps.db);
  return sendPage(reply, <UsersPage ctx={ctx} users={users} notice={noticeOf(request, ctx)} />);
}

async function renderInvite(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: { values: InviteValues; errors: FieldErrors },
  status = 200,
) {
  const teams = await listTeams(request.server.deps.db);
  return sendPage(
    reply,
    <InvitePage ctx={ctx} teams={teams} {...state} csrfToken={issueCsrfToken(request, reply)} />,
    status,
  );
}

function showInvite(request: FastifyRequest, reply: FastifyReply) {
  return renderInvite(request, reply, buildPageContext(request, reply), { values: {}, errors: [] });
}

async function postInvite(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const { input, expiredErrors } = formInput(request, ctx);
  const values: InviteValues = {
    display_name: text(input.display_name),
    email: text(input.email),
    role: text(input.role),
    team: text(input.team),
  };
  if (expiredErrors.length > 0)
    return renderInvite(request, reply, ctx, { values, errors: expiredErrors }, 403);
  const validation = validateInvite(input);
  const problem = (field: string, messageKey: string): FormProblem[] => [
    { field, kind: 'invalid', messageKey },
  ];
  let problems = validation.ok ? [] : validation.problems;
  if (validation.ok) {
    const result = await inviteStaff(request.server.deps.db, adminContext(request), validation.value);
    if (result.status === 'invited') {
      notifyMailQueued();
      request.log.info({ event: 'users.invited', userId: result.userId }, 'staff user invited');
      return redirectWithNotice(reply, ctx, '/beheer/gebruikers', 'invited');
    }
    problems =
      result.status === 'email_taken'
        ? problem('email', 'users.errors.email_taken')
        : problem('team', 'users.errors.team_unknown');
  }
  const errors = toFieldErrors(problems, ctx.t, inviteFieldOrder);
  return renderInvite(request, reply, ctx, { values, errors }, 400);
}

// --- one user ------------------------------------------------------------------------------------

async function renderUser(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: { values: { role?: string | undefined; team?: string | undefined }; errors: FieldErrors },
  status = 200,
) {
  const { db } = request.server.deps;
  const userId = idOf(request);
  const user = isUuid(userId) ? await findStaff(db, userId) : undefined;
  if (!user) return sendErrorPage(request, reply, 'not_found');
  return sendPage(
    reply,
    <UserPage
      ctx={ctx}
      user={user}
      teams={await listTeams(db)}
      {...state}
      notice={status === 200 ? noticeOf(request, ctx) : undefined}
      csrfToken={issueCsrfToken(request, reply)}
    />,
    status,
  );
}

function showUser(request: FastifyRequest, reply: FastifyReply) {
  return renderUser(request, reply, buildPageContext(request, reply), { values: {}, errors: [] });
}

/** Messages for an action that could not be done, shown on the user's page. */
const refusals: Partial<Record<AdminActionResult, string>> = {
  last_admin: 'users.errors.last_admin',
  own_account: 'users.errors.own_account',
  not_applicable: 'users.errors.not_applicable',
  unknown_team: 'users.errors.team_unknown',
};

async function postRoleChange(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const userId = idOf(request);
  if (!isUuid(userId)) return sendErrorPage(request, reply, 'not_found');
  const { input, expiredErrors } = formInput(request, ctx);
  const values = { role: text(input.role), team: text(input.team) };
  if (expiredErrors.length > 0)
    return renderUser(request, reply, ctx, { values, errors: expiredErrors }, 403);
  const validation = validateRoleChange(input);
  if (!validation.ok) {
    const errors = toFieldErrors(validation.problems, ctx.t, ['role', 'team']);
    return renderUser(request, reply, ctx, { values, errors }, 400);
  }
  const result = await changeRoleAndTeam(
    request.server.deps.db,
    adminContext(request),
    userId,
    validation.value,
  );
  return answerAction(
    request,
    reply,
    ctx,
    result,
    'role_changed',
    result === 'unknown_team' ? 'team' : 'role',
  );
}

type UserAction = {
  run: (request: FastifyRequest, userId: string) => Promise<AdminActionResult>;
  notice: Notice;
  sendsMail?: boolean;
};

const userActions: Record<string, UserAction> = {
  uitnodiging: {
    run: (request, id) => resendInvitation(request.server.deps.db, adminContext(request), id),
    notice: 'resent',
    sendsMail: true,
  },
  herstellink: {
    run: (request, id) => sendResetLink(request.server.deps.db, adminContext(request), id),
    notice: 'reset_sent',
    sendsMail: true,
  },
  deblokkeren: {
    run: (request, id) => unlockStaff(request.server.deps.db, adminContext(request), id),
    notice: 'unlocked',
  },
  blokkeren: {
    run: (request, id) => setDisabled(request.server.deps.db, adminContext(request), id, true),
    notice: 'disabled',
  },
  activeren: {
    run: (request, id) => setDisabled(request.server.deps.db, adminContext(request), id, false),
    notice: 'enabled',
  },
};

async function postUserAction(request: FastifyRequest, reply: FastifyReply, action: UserAction) {
  const ctx = buildPageContext(request, reply);
  const userId = idOf(request);
  if (!isUuid(userId)) return sendErrorPage(request, reply, 'not_found');
  const { expiredErrors } = formInput(request, ctx);
  if (expiredErrors.length > 0)
    return renderUser(request, reply, ctx, { values: {}, errors: expiredErrors }, 403);
  const result = await action.run(request, userId);
  if (result === 'done' && action.sendsMail) notifyMailQueued();
  return answerAction(request, reply, ctx, result, action.notice, FORM_LEVEL);
}

function answerAction(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  result: AdminActionResult,
  notice: Notice,
  field: string,
) {
  if (result === 'not_found') return sendErrorPage(request, reply, 'not_found');
  const userId = idOf(request);
  if (result === 'done') {
    request.log.info({ event: `users.${notice}`, userId }, 'staff user changed');
    return redirectWithNotice(reply, ctx, `/beheer/gebruikers/${userId}`, notice);
  }
  const message = ctx.t(refusals[result] ?? 'users.errors.not_applicable');
  return renderUser(request, reply, ctx, { values: {}, errors: [{ field, message }] }, 409);
}

// --- teams ---------------------------------------------------------------------------------------

async function renderTeams(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: { values: { name?: string | undefined }; errors: FieldErrors },
  status = 200,
) {
  const teams = await listTeams(request.server.deps.db);
  return sendPage(
    reply,
    <TeamsPage
      ctx={ctx}
      teams={teams}
      {...state}
      notice={status === 200 ? noticeOf(request, ctx) : undefined}
      csrfToken={issueCsrfToken(request, reply)}
    />,
    status,
  );
}

function showTeams(request: FastifyRequest, reply: FastifyReply) {
  return renderTeams(request, reply, buildPageContext(request, reply), { values: {}, errors: [] });
}

async function postTeam(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const { input, expiredErrors } = formInput(request, ctx);
  const values = { name: text(input.name) };
  if (expiredErrors.length > 0)
    return renderTeams(request, reply, ctx, { values, errors: expiredErrors }, 403);
  const validation = validateTeamName(input);
  if (!validation.ok) {
    return renderTeams(
      request,
      reply,
      ctx,
      { values, errors: toFieldErrors(validation.problems, ctx.t, ['name']) },
      400,
    );
  }
  const result = await createTeam(request.server.deps.db, adminContext(request), validation.value);
  if (result.status === 'saved') return redirectWithNotice(reply, ctx, '/beheer/teams', 'team_created');
  const errors = [{ field: 'name', message: ctx.t('users.errors.team_name_taken') }];
  return renderTeams(request, reply, ctx, { values, errors }, 400);
}

async function renderTeam(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  state: { values: { name?: string | undefined }; errors: FieldErrors },
  status = 200,
) {
  const teamId = idOf(request);
  const team = isUuid(teamId) ? await findTeam(request.server.deps.db, teamId) : undefined;
  if (!team) return sendErrorPage(request, reply, 'not_found');
  return sendPage(
    reply,
    <TeamPage ctx={ctx} team={team} {...state} csrfToken={issueCsrfToken(request, reply)} />,
    status,
  );
}

function showTeam(request: FastifyRequest, reply: FastifyReply) {
  return renderTeam(request, reply, buildPageContext(request, reply), { values: {}, errors: [] });
}

async function postTeamRename(request: FastifyRequest, reply: FastifyReply) {
  const ctx = buildPageContext(request, reply);
  const teamId = idOf(request);
  if (!isUuid(teamId)) return sendErrorPage(request, reply, 'not_found');
  const { input, expiredErrors } = formInput(request, ctx);
  const values = { name: text(input.name) };
  if (expiredErrors.length > 0)
    return renderTeam(request, reply, ctx, { values, errors: expiredErrors }, 403);
  const validation = validateTeamName(input);
  if (!validation.ok) {
    return renderTeam(
      request,
      reply,
      ctx,
      { values, errors: toFieldErrors(validation.problems, ctx.t, ['name']) },
      400,
    );
  }
  const result = await renameTeam(request.server.deps.db, adminContext(request), teamId, validation.value);
  if (result.status === 'not_found') return sendErrorPage(request, reply, 'not_found');
  if (result.status === 'saved') return redirectWithNotice(reply, ctx, '/beheer/teams', 'team_renamed');
  const errors = [{ field: 'name', message: ctx.t('users.errors.team_name_taken') }];
  return renderTeam(request, reply, ctx, { values, errors }, 400);
}
