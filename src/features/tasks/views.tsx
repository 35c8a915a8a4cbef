import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  SelectField,
  SubmitButton,
  TextInput,
  errorFor,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { CaseSectionLayout } from '../cases/views/case-sections-nav.tsx';
import { caseSectionPath } from '../case-sections/case-section.ts';
import { formatCalendarDate, formatDateTime } from '../../web/format.ts';
import type { CaseTasks, MyTask, Task } from './task-service.ts';
import { TITLE_MAX } from './task-service.ts';
import type { TaskFormValues } from './task-form.ts';
import { isOverdue } from './task-dates.ts';

export const tasksPath = (caseId: string) => caseSectionPath(caseId, 'tasks');
export const taskActionPath = (caseId: string, taskId: string, action: 'afgerond' | 'heropend') =>
  `${tasksPath(caseId)}/${taskId}/${action}`;

/** The due date, and "overdue" in words (not only in colour) when it has passed. */
function DueDate({ ctx, task, today }: { ctx: PageContext; task: Task; today: string }) {
  if (task.dueOn === null) return <>{ctx.t('tasks.no_due_date')}</>;
  const overdue = task.doneAt === null && isOverdue(task.dueOn, today);
  const dueToday = task.doneAt === null && task.dueOn === today;
  return (
    <>
      {formatCalendarDate(ctx, task.dueOn)}
      {overdue ? (
        <>
          {' '}
          <strong class="baken-overdue" data-overdue="">
            {ctx.t('tasks.overdue')}
          </strong>
        </>
      ) : null}
      {dueToday ? (
        <>
          {' '}
          <strong data-due-today="">{ctx.t('tasks.due_today')}</strong>
        </>
      ) : null}
    </>
  );
}

function StatusCell({
  ctx,
  caseId,
  task,
  csrfToken,
}: {
  ctx: PageContext;
  caseId: string;
  task: Task;
  csrfToken: string;
}) {
  const { t } = ctx;
  const done = task.doneAt !== null;
  return (
    <>
      <p class="utrecht-paragraph">
        {done && task.doneAt
          ? t('tasks.done_by', {
              name: task.doneByName ?? t('tasks.unknown_person'),
              date: formatDateTime(ctx, task.doneAt),
            })
          : t('tasks.open')}
      </p>
      <form method="post" action={ctx.href(taskActionPath(caseId, task.id, done ? 'heropend' : 'afgerond'))}>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <button
          type="submit"
          class="utrecht-button utrecht-button--secondary-action"
          aria-describedby={`task-${task.id}`}
        >
          {t(done ? 'tasks.reopen' : 'tasks.mark_done')}
        </button>
      </form>
    </>
  );
}

function TaskTable({
  ctx,
  caseId,
  tasks,
  today,
  csrfToken,
}: {
  ctx: PageContext;
  caseId: string;
  tasks: Task[];
  today: string;
  csrfToken: string;
}) {
  const { t } = ctx;
  const headerCell = 'utrecht-table__header-cell';
  const cell = 'utrecht-table__cell';
  return (
    <table class="utrecht-table utrecht-table--html-table" data-tasks="">
      <caption class="utrecht-table__caption">{t('tasks.table.caption')}</caption>
      <thead class="utrecht-table__header">
        <tr class="utrecht-table__row">
          <th class={headerCell} scope="col">
            {t('tasks.table.title')}
          </th>
          <th class={headerCell} scope="col">
            {t('tasks.table.owner')}
          </th>
          <th class={headerCell} scope="col">
            {t('tasks.table.due')}
          </th>
          <th class={headerCell} scope="col">
            {t('tasks.table.status')}
          </th>
        </tr>
      </thead>
      <tbody class="utrecht-table__body">
        {tasks.map((task) => (
          <tr
            class="utrecht-table__row"
            key={task.id}
            data-task-id={task.id}
            data-done={task.doneAt ? 'yes' : 'no'}
          >
            <th class={headerCell} scope="row" id={`task-${task.id}`}>
              {task.title}
            </th>
            <td class={cell}>{task.ownerName ?? t('tasks.no_owner')}</td>
            <td class={cell}>
              <DueDate ctx={ctx} task={task} today={today} />
            </td>
            <td class={cell}>
              <StatusCell ctx={ctx} caseId={caseId} task={task} csrfToken={csrfToken} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CaseTasksPage({
  ctx,
  data,
  today,
  csrfToken,
  values,
  errors,
  notice,
}: {
  ctx: PageContext;
  data: CaseTasks;
  today: string;
  csrfToken: string;
  values: TaskFormValues;
  errors: FieldErrors;
  notice: 'added' | 'done' | 'reopened' | undefined;
}) {
  const { t } = ctx;
  const { caseFacts, tasks, owners } = data;
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseFacts.id}
      caseNumber={caseFacts.number}
      section="tasks"
      hasErrors={errors.length > 0}
    >
      {notice ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status">
          <p class="utrecht-paragraph">{t(`tasks.notice.${notice}`)}</p>
        </div>
      ) : null}
      {tasks.length === 0 ? (
        <p class="utrecht-paragraph" data-tasks-empty="">
          {t('tasks.empty')}
        </p>
      ) : (
        <TaskTable ctx={ctx} caseId={caseFacts.id} tasks={tasks} today={today} csrfToken={csrfToken} />
      )}
      <section aria-labelledby="add-task-heading">
        <h2 class="utrecht-heading-2" id="add-task-heading">
          {t('tasks.add.heading')}
        </h2>
        <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
        <form class="baken-form" method="post" action={ctx.href(tasksPath(caseFacts.id))} novalidate>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <TextInput
            name="title"
            label={t('tasks.add.title')}
            hint={t('tasks.add.title_hint', { max: TITLE_MAX })}
            value={values.title}
            maxLength={TITLE_MAX}
            required
            error={errorFor(errors, 'title')}
          />
          <TextInput
            name="due_on"
            label={t('tasks.add.due_on')}
            hint={t('tasks.add.due_on_hint')}
            value={values.due_on}
            maxLength={10}
            error={errorFor(errors, 'due_on')}
          />
          <SelectField
            name="owner"
            label={t('tasks.add.owner')}
            hint={t('tasks.add.owner_hint')}
            value={values.owner}
            options={owners.map((owner) => ({ value: owner.id, label: owner.name }))}
            required
            error={errorFor(errors, 'owner')}
          />
          <SubmitButton>{t('tasks.add.submit')}</SubmitButton>
        </form>
      </section>
    </CaseSectionLayout>
  );
}

/** The signed-in user's open tasks across the cases they may open. */
export function MyTasksPage({ ctx, tasks, today }: { ctx: PageContext; tasks: MyTask[]; today: string }) {
  const { t } = ctx;
  const headerCell = 'utrecht-table__header-cell';
  const cell = 'utrecht-table__cell';
  return (
    <StaffLayout ctx={ctx} title={t('tasks.mine.title')}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer')}>
          {t('tasks.mine.back_home')}
        </a>
      </p>
      <h1 class="utrecht-heading-1">{t('tasks.mine.title')}</h1>
      {tasks.length === 0 ? (
        <p class="utrecht-paragraph" data-tasks-empty="">
          {t('tasks.mine.empty')}
        </p>
      ) : (
        <table class="utrecht-table utrecht-table--html-table" data-my-tasks="">
          <caption class="utrecht-table__caption">{t('tasks.mine.caption', { count: tasks.length })}</caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              <th class={headerCell} scope="col">
                {t('tasks.table.title')}
              </th>
              <th class={headerCell} scope="col">
                {t('tasks.mine.case')}
              </th>
              <th class={headerCell} scope="col">
                {t('tasks.table.due')}
              </th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {tasks.map((task) => (
              <tr class="utrecht-table__row" key={task.id} data-task-id={task.id}>
                <th class={headerCell} scope="row">
                  {task.title}
                </th>
                <td class={cell}>
                  <a class="utrecht-link" href={ctx.href(tasksPath(task.caseId))}>
                    {t('tasks.mine.case_link', { number: task.caseNumber })}
                  </a>
                </td>
                <td class={cell}>
                  <DueDate ctx={ctx} task={task} today={today} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StaffLayout>
  );
}
