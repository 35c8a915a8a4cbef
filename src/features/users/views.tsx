import { Fragment, type ComponentChildren } from 'preact';
import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import { Notice } from '../../web/components/notice.tsx';
import { HeadingWithBackLink } from '../../web/components/page-heading.tsx';
import {
  EmailInput,
  ErrorSummary,
  HiddenField,
  NewPasswordFields,
  RadioGroup,
  SelectField,
  SubmitButton,
  TextInput,
  errorFor,
  fieldId,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { PASSWORD_MIN_CHARS } from './password-policy.ts';
import { assignableRoles, type StaffListRow, type Team } from './users-service.ts';

const headerCell = 'utrecht-table__header-cell';
const cell = 'utrecht-table__cell';

/** A one-button form (POST with the CSRF token). */
function ActionForm({
  action,
  csrfToken,
  children,
  variant = 'secondary',
}: {
  action: string;
  csrfToken: string;
  children: ComponentChildren;
  variant?: 'primary' | 'secondary';
}) {
  return (
    <form method="post" action={action}>
      <HiddenField name={CSRF_FIELD} value={csrfToken} />
      <SubmitButton variant={variant}>{children}</SubmitButton>
    </form>
  );
}

/**
 * What an administrator can do about an account's access in its status, in page order: an
 * explanation (`users.detail.<text>`) and a button (`users.detail.<button>`) posting to `<user>/<path>`.
 */
function accessActions(status: StaffListRow['status']): { text: string; button: string; path: string }[] {
  return [
    ...(status === 'invited' ? [{ text: 'invited_text', button: 'resend', path: 'uitnodiging' }] : []),
    ...(status === 'locked' ? [{ text: 'locked_text', button: 'unlock', path: 'deblokkeren' }] : []),
    ...(status === 'active' || status === 'locked'
      ? [{ text: 'reset_text', button: 'reset', path: 'herstellink' }]
      : []),
    status === 'disabled'
      ? { text: 'disabled_text', button: 'enable', path: 'activeren' }
      : { text: 'disable_text', button: 'disable', path: 'blokkeren' },
  ];
}

const roleOptions = (ctx: PageContext) =>
  assignableRoles.map((role) => ({
    value: role,
    label: ctx.t(`auth.role.${role}`),
    hint: ctx.t(`users.role_hint.${role}`),
  }));

const teamOptions = (teams: Team[]) => teams.map((team) => ({ value: team.id, label: team.name }));

export function UsersPage({
  ctx,
  users,
  notice,
}: {
  ctx: PageContext;
  users: StaffListRow[];
  notice: string | undefined;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('users.list.title')}>
      <HeadingWithBackLink
        ctx={ctx}
        back="/beheer"
        backLabel={t('users.back_home')}
        title={t('users.list.title')}
      />
      <Notice text={notice} />
      <ul class="utrecht-link-list">
        <li class="utrecht-link-list__item">
          <a class="utrecht-link" href={ctx.href('/beheer/gebruikers/uitnodigen')} data-invite-link="">
            {t('users.list.invite')}
          </a>
        </li>
        <li class="utrecht-link-list__item">
          <a class="utrecht-link" href={ctx.href('/beheer/teams')}>
            {t('users.teams.title')}
          </a>
        </li>
      </ul>
      <table class="utrecht-table utrecht-table--html-table" data-users="">
        <caption class="utrecht-table__caption">{t('users.list.caption')}</caption>
        <thead class="utrecht-table__header">
          <tr class="utrecht-table__row">
            <th class={headerCell} scope="col">
              {t('users.field.name')}
            </th>
            <th class={headerCell} scope="col">
              {t('users.field.email')}
            </th>
            <th class={headerCell} scope="col">
              {t('users.field.role')}
            </th>
            <th class={headerCell} scope="col">
              {t('users.field.team')}
            </th>
            <th class={headerCell} scope="col">
              {t('users.field.status')}
            </th>
            <th class={headerCell} scope="col">
              {t('users.field.second_factors')}
            </th>
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {users.map((user) => (
            <tr class="utrecht-table__row" key={user.id} data-user-id={user.id} data-status={user.status}>
              <th class={headerCell} scope="row">
                <a class="utrecht-link" href={ctx.href(`/beheer/gebruikers/${user.id}`)}>
                  {user.displayName}
                </a>
              </th>
              <td class={cell}>{user.email}</td>
              <td class={cell}>{t(`auth.role.${user.role}`)}</td>
              <td class={cell}>{user.teamName ?? t('users.no_team')}</td>
              <td class={cell}>{t(`users.status.${user.status}`)}</td>
              <td class={cell}>
                <SecondFactors ctx={ctx} user={user} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </StaffLayout>
  );
}

function SecondFactors({ ctx, user }: { ctx: PageContext; user: StaffListRow }) {
  const { t } = ctx;
  const parts = [
    user.hasTotp ? t('users.factors.totp') : undefined,
    user.unusedRecoveryCodes > 0
      ? t('users.factors.recovery', { count: user.unusedRecoveryCodes })
      : undefined,
    user.passkeys > 0 ? t('users.factors.passkeys', { count: user.passkeys }) : undefined,
  ].filter(Boolean);
  return <>{parts.length > 0 ? parts.join(', ') : t('users.factors.none')}</>;
}

export interface InviteValues {
  display_name?: string | undefined;
  email?: string | undefined;
  role?: string | undefined;
  team?: string | undefined;
}

export const inviteFieldOrder = ['display_name', 'email', 'role', 'team'] as const;

export function InvitePage({
  ctx,
  teams,
  values,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  teams: Team[];
  values: InviteValues;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('users.invite.title')} hasErrors={errors.length > 0}>
      <HeadingWithBackLink
        ctx={ctx}
        back="/beheer/gebruikers"
        backLabel={t('users.back_list')}
        title={t('users.invite.title')}
      />
      <ErrorSummary
        errors={errors}
        heading={t('validation.summary_heading')}
        firstControl={(field) => (field === 'role' ? fieldId('role', assignableRoles[0]) : fieldId(field))}
      />
      <p class="utrecht-paragraph">{t('users.invite.intro')}</p>
      <form class="baken-form" method="post" action={ctx.href('/beheer/gebruikers/uitnodigen')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextInput
          name="display_name"
          label={t('users.field.name')}
          value={values.display_name}
          maxLength={200}
          required
          error={errorFor(errors, 'display_name')}
        />
        <EmailInput
          name="email"
          label={t('users.field.email')}
          hint={t('users.invite.email_hint')}
          value={values.email}
          required
          error={errorFor(errors, 'email')}
        />
        <RadioGroup
          name="role"
          legend={t('users.field.role')}
          options={roleOptions(ctx)}
          value={values.role}
          required
          error={errorFor(errors, 'role')}
        />
        <SelectField
          name="team"
          label={t('users.field.team_optional')}
          placeholder={t('users.no_team')}
          options={teamOptions(teams)}
          value={values.team}
          error={errorFor(errors, 'team')}
        />
        <SubmitButton>{t('users.invite.submit')}</SubmitButton>
      </form>
    </StaffLayout>
  );
}

export function UserPage({
  ctx,
  user,
  teams,
  values,
  errors,
  notice,
  csrfToken,
}: {
  ctx: PageContext;
  user: StaffListRow;
  teams: Team[];
  values: { role?: string | undefined; team?: string | undefined };
  errors: FieldErrors;
  notice: string | undefined;
  csrfToken: string;
}) {
  const { t } = ctx;
  const base = ctx.href(`/beheer/gebruikers/${user.id}`);
  return (
    <StaffLayout ctx={ctx} title={user.displayName} hasErrors={errors.length > 0}>
      <HeadingWithBackLink
        ctx={ctx}
        back="/beheer/gebruikers"
        backLabel={t('users.back_list')}
        title={user.displayName}
      />
      <ErrorSummary
        errors={errors}
        heading={t('validation.summary_heading')}
        firstControl={(field) => (field === 'role' ? fieldId('role', assignableRoles[0]) : fieldId(field))}
      />
      <Notice text={notice} />
      <dl class="baken-facts" data-user-facts="">
        <dt>{t('users.field.email')}</dt>
        <dd>{user.email}</dd>
        <dt>{t('users.field.status')}</dt>
        <dd data-status={user.status}>{t(`users.status.${user.status}`)}</dd>
        <dt>{t('users.field.second_factors')}</dt>
        <dd>
          <SecondFactors ctx={ctx} user={user} />
        </dd>
      </dl>

      <h2 class="utrecht-heading-2">{t('users.detail.role_heading')}</h2>
      <p class="utrecht-paragraph">{t('users.detail.role_intro')}</p>
      <form class="baken-form" method="post" action={`${base}/rol`} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <RadioGroup
          name="role"
          legend={t('users.field.role')}
          options={roleOptions(ctx)}
          value={values.role ?? user.role}
          required
          error={errorFor(errors, 'role')}
        />
        <SelectField
          name="team"
          label={t('users.field.team_optional')}
          placeholder={t('users.no_team')}
          options={teamOptions(teams)}
          value={values.team ?? user.teamId ?? undefined}
          error={errorFor(errors, 'team')}
        />
        <SubmitButton>{t('users.detail.role_submit')}</SubmitButton>
      </form>

      <h2 class="utrecht-heading-2">{t('users.detail.access_heading')}</h2>
      {accessActions(user.status).map(({ text, button, path }) => (
        <Fragment key={path}>
          <p class="utrecht-paragraph">{t(`users.detail.${text}`)}</p>
          <ActionForm action={`${base}/${path}`} csrfToken={csrfToken}>
            {t(`users.detail.${button}`)}
          </ActionForm>
        </Fragment>
      ))}
    </StaffLayout>
  );
}

export function TeamsPage({
  ctx,
  teams,
  values,
  errors,
  notice,
  csrfToken,
}: {
  ctx: PageContext;
  teams: Team[];
  values: { name?: string | undefined };
  errors: FieldErrors;
  notice: string | undefined;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('users.teams.title')} hasErrors={errors.length > 0}>
      <HeadingWithBackLink
        ctx={ctx}
        back="/beheer/gebruikers"
        backLabel={t('users.back_list')}
        title={t('users.teams.title')}
      />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <Notice text={notice} />
      {teams.length === 0 ? (
        <p class="utrecht-paragraph">{t('users.teams.empty')}</p>
      ) : (
        <ul class="utrecht-unordered-list" data-teams="">
          {teams.map((team) => (
            <li class="utrecht-unordered-list__item" key={team.id} data-team-id={team.id}>
              {team.name} (
              <a class="utrecht-link" href={ctx.href(`/beheer/teams/${team.id}`)}>
                {t('users.teams.rename_link', { name: team.name })}
              </a>
              )
            </li>
          ))}
        </ul>
      )}
      <h2 class="utrecht-heading-2">{t('users.teams.create_heading')}</h2>
      <TeamNameForm
        action={ctx.href('/beheer/teams')}
        label={t('users.teams.name')}
        value={values.name}
        submit={t('users.teams.create_submit')}
        errors={errors}
        csrfToken={csrfToken}
      />
    </StaffLayout>
  );
}

export function TeamPage({
  ctx,
  team,
  values,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  team: Team;
  values: { name?: string | undefined };
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout
      ctx={ctx}
      title={t('users.teams.rename_title', { name: team.name })}
      hasErrors={errors.length > 0}
    >
      <HeadingWithBackLink
        ctx={ctx}
        back="/beheer/teams"
        backLabel={t('users.teams.back')}
        title={t('users.teams.rename_title', { name: team.name })}
      />
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <TeamNameForm
        action={ctx.href(`/beheer/teams/${team.id}`)}
        label={t('users.teams.new_name')}
        value={values.name ?? team.name}
        submit={t('users.teams.rename_submit')}
        errors={errors}
        csrfToken={csrfToken}
      />
    </StaffLayout>
  );
}

/** A team's name: the same one-field form makes a team and renames one. */
function TeamNameForm(props: {
  action: string;
  label: string;
  value: string | undefined;
  submit: string;
  errors: FieldErrors;
  csrfToken: string;
}) {
  return (
    <form class="baken-form" method="post" action={props.action} novalidate>
      <HiddenField name={CSRF_FIELD} value={props.csrfToken} />
      <TextInput
        name="name"
        label={props.label}
        value={props.value}
        maxLength={100}
        required
        error={errorFor(props.errors, 'name')}
      />
      <SubmitButton>{props.submit}</SubmitButton>
    </form>
  );
}

// --- the person with a link -----------------------------------------------------------------------

export function LinkPasswordPage({
  ctx,
  purpose,
  action,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  purpose: 'invite' | 'reset';
  action: string;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t(`users.link.${purpose}.title`)} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t(`users.link.${purpose}.title`)}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t(`users.link.${purpose}.intro`)}</p>
      <form class="baken-form" method="post" action={action} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <NewPasswordFields
          label={t('password.field.password')}
          hint={t('password.field.hint', { min: PASSWORD_MIN_CHARS })}
          repeatLabel={t('password.field.repeat')}
          errors={errors}
        />
        <SubmitButton>{t(`users.link.${purpose}.submit`)}</SubmitButton>
      </form>
    </StaffLayout>
  );
}

/** One page for every link that does not work: used, expired or never issued look the same. */
export function LinkInvalidPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('users.link.invalid.title')}>
      <h1 class="utrecht-heading-1" data-link-invalid="">
        {t('users.link.invalid.title')}
      </h1>
      <p class="utrecht-paragraph">{t('users.link.invalid.text')}</p>
    </StaffLayout>
  );
}

export function ResetDonePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('users.link.reset_done.title')}>
      <h1 class="utrecht-heading-1">{t('users.link.reset_done.title')}</h1>
      <p class="utrecht-paragraph">{t('users.link.reset_done.text')}</p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer/inloggen')}>
          {t('users.link.reset_done.sign_in')}
        </a>
      </p>
    </StaffLayout>
  );
}
