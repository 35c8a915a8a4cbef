import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import {
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

function Notice({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <div class="utrecht-alert utrecht-alert--info" role="status">
      <p class="utrecht-paragraph">{text}</p>
    </div>
  );
}

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
      <Notice text={notice} />
      <p class="utrecht-paragraph">{t('auth.login.intro')}</p>
      <form class="baken-form" method="post" action={ctx.href('/beheer/inloggen')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextInput
          name="email"
          type="email"
          label={t('auth.login.email')}
          value={email}
          autocomplete="username"
          inputMode="email"
          spellcheck={false}
          maxLength={254}
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
export function RecoveryCodesPage({ ctx, codes }: { ctx: PageContext; codes: string[] }) {
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
        <a class="utrecht-link" href={ctx.href('/beheer')}>
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
}: {
  ctx: PageContext;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
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
