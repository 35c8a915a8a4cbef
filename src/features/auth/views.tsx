import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import { Notice } from '../../web/components/notice.tsx';
import {
  EmailInput,
  ErrorSummary,
  HiddenField,
  SubmitButton,
  TextInput,
  errorFor,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { can, type Role } from '../../web/policy.ts';
import type { Enrolment } from './second-factor-service.ts';
import { PasskeySignIn } from '../passkeys/views.tsx';

/** The second-factor page offers a passkey beside the codes, instead of them (role requires one), or not. */
export type PasskeyChoice = 'offered' | 'only' | 'none';

/** E-mail address and password. The password never goes back into the page. */
export function LoginPage({
  ctx,
  email,
  errors,
  csrfToken,
  notice,
}: {
  ctx: PageContext;
  email?: string | undefined;
  errors: FieldErrors;
  csrfToken: string;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('auth.login.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('auth.login.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <Notice text={notice} kind="info" />
      <p class="utrecht-paragraph">{t('auth.login.intro')}</p>
      <form class="baken-form" method="post" action={ctx.href('/beheer/inloggen')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <EmailInput
          name="email"
          label={t('auth.login.email')}
          value={email}
          autocomplete="username"
          required
          error={errorFor(errors, 'email')}
        />
        <TextInput
          name="password"
          type="password"
          label={t('auth.login.password')}
          autocomplete="current-password"
          spellcheck={false}
          required
          error={errorFor(errors, 'password')}
        />
        <SubmitButton>{t('auth.login.submit')}</SubmitButton>
      </form>
      <PasskeySignIn
        ctx={ctx}
        csrfToken={csrfToken}
        heading={t('passkeys.sign_in.heading')}
        button={t('passkeys.sign_in.button')}
      />
    </StaffLayout>
  );
}

function CodeInput({
  label,
  hint,
  errors,
  numeric,
}: {
  label: string;
  hint: string;
  errors: FieldErrors;
  /** TOTP codes are digits; recovery codes also have letters. */
  numeric: boolean;
}) {
  return (
    <TextInput
      name="code"
      label={label}
      hint={hint}
      autocomplete="one-time-code"
      inputMode={numeric ? 'numeric' : 'text'}
      spellcheck={false}
      maxLength={20}
      required
      class="baken-code-input"
      error={errorFor(errors, 'code')}
    />
  );
}

function CancelForm({ ctx, csrfToken }: { ctx: PageContext; csrfToken: string }) {
  return (
    <form method="post" action={ctx.href('/beheer/uitloggen')}>
      <HiddenField name={CSRF_FIELD} value={csrfToken} />
      <SubmitButton variant="secondary">{ctx.t('auth.second_factor.cancel')}</SubmitButton>
    </form>
  );
}

/** The TOTP secret as text and as an otpauth:// link, and a field to confirm with a current code. */
export function EnrolPage({
  ctx,
  enrolment,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  enrolment: Enrolment;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('auth.enrol.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('auth.enrol.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t('auth.enrol.intro')}</p>
      <p class="utrecht-paragraph">{t('auth.enrol.step_add')}</p>
      <p class="utrecht-paragraph">
        {t('auth.enrol.secret_label')}:{' '}
        <code class="baken-totp-secret" data-totp-secret="">
          {enrolment.secretGroups}
        </code>
      </p>
      <p class="utrecht-paragraph">
        {t('auth.enrol.uri_label')}{' '}
        <a class="utrecht-link" href={enrolment.uri} data-totp-uri="">
          {enrolment.uri}
        </a>
      </p>
      <form class="baken-form" method="post" action={ctx.href('/beheer/tweestaps-instellen')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <CodeInput label={t('auth.enrol.code')} hint={t('auth.enrol.code_hint')} errors={errors} numeric />
        <SubmitButton>{t('auth.enrol.submit')}</SubmitButton>
      </form>
      <CancelForm ctx={ctx} csrfToken={csrfToken} />
    </StaffLayout>
  );
}

/** Shown once, right after enrolment; the codes are not stored anywhere readable. */
export function RecoveryCodesPage({
  ctx,
  codes,
  continueTo,
}: {
  ctx: PageContext;
  codes: string[];
  /** The next sign-in step: the back office, or registering a passkey the role requires. */
  continueTo: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('auth.recovery.title')}>
      <h1 class="utrecht-heading-1">{t('auth.recovery.title')}</h1>
      <p class="utrecht-paragraph">{t('auth.recovery.intro')}</p>
      <div class="utrecht-alert utrecht-alert--warning">
        <p class="utrecht-paragraph">{t('auth.recovery.warning')}</p>
      </div>
      <ol class="utrecht-ordered-list baken-recovery-codes" data-recovery-codes="">
        {codes.map((code) => (
          <li class="utrecht-ordered-list__item" key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={continueTo}>
          {t('auth.recovery.continue')}
        </a>
      </p>
    </StaffLayout>
  );
}

export function SecondFactorPage({
  ctx,
  errors,
  csrfToken,
  passkey,
}: {
  ctx: PageContext;
  errors: FieldErrors;
  csrfToken: string;
  passkey: PasskeyChoice;
}) {
  const { t } = ctx;
  if (passkey === 'only') {
    return (
      <StaffLayout ctx={ctx} title={t('auth.second_factor.title')}>
        <h1 class="utrecht-heading-1">{t('auth.second_factor.title')}</h1>
        <p class="utrecht-paragraph" data-passkey-required="">
          {t('passkeys.sign_in.required')}
        </p>
        <PasskeySignIn ctx={ctx} csrfToken={csrfToken} button={t('passkeys.sign_in.button')} />
        <CancelForm ctx={ctx} csrfToken={csrfToken} />
      </StaffLayout>
    );
  }
  return (
    <StaffLayout ctx={ctx} title={t('auth.second_factor.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('auth.second_factor.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t('auth.second_factor.intro')}</p>
      <form class="baken-form" method="post" action={ctx.href('/beheer/tweestaps')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <CodeInput
          label={t('auth.second_factor.code')}
          hint={t('auth.second_factor.code_hint')}
          errors={errors}
          numeric={false}
        />
        <SubmitButton>{t('auth.second_factor.submit')}</SubmitButton>
      </form>
      {passkey === 'offered' ? (
        <PasskeySignIn
          ctx={ctx}
          csrfToken={csrfToken}
          heading={t('passkeys.second_factor.heading')}
          button={t('passkeys.second_factor.button')}
        />
      ) : null}
      <CancelForm ctx={ctx} csrfToken={csrfToken} />
    </StaffLayout>
  );
}

/** A placeholder home for the back office: who you are, and the ways out. */
export function StaffHomePage({
  ctx,
  name,
  role,
  csrfToken,
}: {
  ctx: PageContext;
  name: string;
  role: Role;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('auth.home.title')}>
      <h1 class="utrecht-heading-1">{t('auth.home.title')}</h1>
      <p class="utrecht-paragraph" data-signed-in-as="">
        {t('auth.home.signed_in_as', { name, role: t(`auth.role.${role}`) })}
      </p>
      {can(role, 'reports.read') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/meldingen')} data-inbox-link="">
            {t('inbox.home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'cases.read.assigned') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/casussen')} data-cases-link="">
            {t('cases.home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'cases.search') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/zoeken')} data-search-link="">
            {t('search.home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'staff.account.own') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/account/passkeys')} data-passkeys-link="">
            {t('passkeys.home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'config.manage') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/instellingen/rollen')} data-role-settings-link="">
            {t('passkeys.roles.home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'users.manage') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/gebruikers')} data-users-link="">
            {t('users.home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'users.manage') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/teams')} data-teams-link="">
            {t('users.teams_home_link')}
          </a>
        </p>
      ) : null}
      {can(role, 'audit.search') ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/beheer/audit')} data-audit-link="">
            {t('audit.home_link')}
          </a>
        </p>
      ) : null}
      <form method="post" action={ctx.href('/beheer/uitloggen')}>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <SubmitButton>{t('auth.home.logout')}</SubmitButton>
      </form>
      <p class="utrecht-paragraph">{t('auth.home.logout_everywhere_hint')}</p>
      <form method="post" action={ctx.href('/beheer/overal-uitloggen')}>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <SubmitButton variant="secondary">{t('auth.home.logout_everywhere')}</SubmitButton>
      </form>
    </StaffLayout>
  );
}
