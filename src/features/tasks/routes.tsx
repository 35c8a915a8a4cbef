import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bothLocales } from '../../web/routing.ts';
import { buildPageContext } from '../../web/page-context.ts';
import { sendPage } from '../../web/render.ts';
import { sendErrorPage } from '../../web/error-handling.tsx';
import { issueCsrfToken, isValidCsrfToken, CSRF_FIELD } from '../../web/csrf.ts';
import { normaliseForm, toFieldErrors } from '../../web/form-validation.ts';
import { FORM_LEVEL, type FieldErrors } from '../../web/components/form.tsx';
import { requireCase } from '../cases/case-access.ts';
import { caseWorkOf } from '../case-sections/case-section.ts';
import { addTask, listCaseTasks, listMyTasks, setTaskDone } from './task-service.ts';
import { taskFieldOrder, taskFormValues, validateTask, type TaskFormValues } from './task-form.ts';
import { centreToday } from './task-dates.ts';
import { MY_TASKS_PATH } from './reminders.ts';
import { CaseTasksPage, MyTasksPage, tasksPath } from './views.tsx';

/** Tasks of a case (list, add, done and reopened) and the signed-in user's own open tasks. */
export function registerTaskRoutes(app: FastifyInstance): void {
  const read = { config: { permission: 'cases.read.assigned' as const } };
  const edit = { config: { permission: 'cases.edit' as const } };
  for (const path of bothLocales('/beheer/casussen/:id/taken')) {
    app.get(path, read, showTasks);
    app.post(path, edit, postTask);
  }
  for (const path of bothLocales('/beheer/casussen/:id/taken/:taskId/afgerond')) {
    app.post(path, edit, (request, reply) => postDone(request, reply, true));
  }
  for (const path of bothLocales('/beheer/casussen/:id/taken/:taskId/heropend')) {
    app.post(path, edit, (request, reply) => postDone(request, reply, false));
  }
  for (const path of bothLocales(MY_TASKS_PATH)) app.get(path, read, showMyTasks);
}

const notices = { toegevoegd: 'added', afgerond: 'done', heropend: 'reopened' } as const;

async function renderTasks(
  request: FastifyRequest,
  reply: FastifyReply,
  caseId: string,
  form: { values: TaskFormValues; errors: FieldErrors },
  status = 200,
) {
  const work = caseWorkOf(request);
  const data = await listCaseTasks(request.server.deps.db, caseId, work);
  const query = request.query as Record<string, unknown>;
  const notice = (Object.keys(notices) as (keyof typeof notices)[]).find((key) => query[key] !== undefined);
  // A new task is the signer's own unless they choose someone else.
  const values = form.values.owner || form.errors.length > 0 ? form.values : { owner: work.principal.userId };
  return sendPage(
    reply,
    <CaseTasksPage
      ctx={buildPageContext(request, reply)}
      data={data}
      today={centreToday()}
      csrfToken={issueCsrfToken(request, reply)}
      values={values}
      errors={form.errors}
      notice={status === 200 && notice ? notices[notice] : undefined}
    />,
    status,
  );
}

async function showTasks(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  return renderTasks(request, reply, caseId, { values: {}, errors: [] });
}

async function postTask(request: FastifyRequest, reply: FastifyReply) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  const ctx = buildPageContext(request, reply);
  const values = taskFormValues(request.body);
  const errors: FieldErrors = [];
  const expired = !isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD]);
  if (expired) errors.push({ field: FORM_LEVEL, message: ctx.t('validation.form_expired') });
  const result = validateTask(values);
  if (!result.ok) errors.push(...toFieldErrors(result.problems, ctx.t, taskFieldOrder));
  if (errors.length === 0 && result.ok) {
    const outcome = await addTask(request.server.deps.db, caseId, result.task, caseWorkOf(request));
    if (outcome === 'added') return reply.redirect(`${ctx.href(tasksPath(caseId))}?toegevoegd`, 303);
    errors.push({ field: 'owner', message: ctx.t('tasks.errors.owner_not_allowed') });
  }
  return renderTasks(request, reply, caseId, { values, errors }, expired ? 403 : 400);
}

async function postDone(request: FastifyRequest, reply: FastifyReply, done: boolean) {
  const caseId = await requireCase(request, reply);
  if (!caseId) return reply;
  if (!isValidCsrfToken(request, normaliseForm(request.body)[CSRF_FIELD])) {
    return sendErrorPage(request, reply, 'csrf_invalid');
  }
  const ctx = buildPageContext(request, reply);
  const taskId = (request.params as { taskId: string }).taskId;
  const outcome = await setTaskDone(request.server.deps.db, caseId, taskId, done, caseWorkOf(request));
  if (outcome === 'missing') return sendErrorPage(request, reply, 'not_found');
  // 'unchanged' (someone else was quicker) ends on the list too, which shows how it is now.
  return reply.redirect(`${ctx.href(tasksPath(caseId))}?${done ? 'afgerond' : 'heropend'}`, 303);
}

async function showMyTasks(request: FastifyRequest, reply: FastifyReply) {
  const work = caseWorkOf(request);
  const tasks = await listMyTasks(request.server.deps.db, work.principal, work);
  return sendPage(
    reply,
    <MyTasksPage ctx={buildPageContext(request, reply)} tasks={tasks} today={centreToday()} />,
  );
}
