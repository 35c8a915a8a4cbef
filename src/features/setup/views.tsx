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
import { PASSWORD_MIN_CHARS } from './setup-form.ts';

export interface SetupFormValues {
  display_name?: string | undefined;
  email?: string | undefined;
}

/** Password fields get no value (never echoed) and no maxlength (a long paste must not be cut). */
const newPassword = {
  type: 'password',
  autocomplete: 'new-password',
  spellcheck: false,
  required: true,
} as const;

/** The form for the first administrator. Passwords are never put back into the page. */
export function SetupFormPage({
  ctx,
  token,
  values,
  errors,
  csrfToken,
}: {
  ctx: PageContext;
  token: string;
  values: SetupFormValues;
  errors: FieldErrors;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('setup.form.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('setup.form.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <p class="utrecht-paragraph">{t('setup.form.intro')}</p>
      <form class="baken-form" method="post" action={ctx.href(`/setup/${token}`)} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <TextInput
          name="display_name"
          label={t('setup.form.display_name')}
          hint={t('setup.form.display_name_hint')}
          value={values.display_name}
          autocomplete="name"
          maxLength={200}
          required
          error={errorFor(errors, 'display_name')}
        />
        <TextInput
          name="email"
          type="email"
          label={t('setup.form.email')}
          hint={t('setup.form.email_hint')}
          value={values.email}
          autocomplete="username"
          inputMode="email"
          spellcheck={false}
          maxLength={254}
          required
          error={errorFor(errors, 'email')}
        />
        <TextInput
          {...newPassword}
          name="password"
          label={t('setup.form.password')}
          hint={t('setup.form.password_hint', { min: PASSWORD_MIN_CHARS })}
          error={errorFor(errors, 'password')}
        />
        <TextInput
          {...newPassword}
          name="password_repeat"
          label={t('setup.form.password_repeat')}
          error={errorFor(errors, 'password_repeat')}
        />
        <SubmitButton>{t('setup.form.submit')}</SubmitButton>
      </form>
    </StaffLayout>
  );
}

export function SetupDonePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('setup.done.title')}>
      <h1 class="utrecht-heading-1">{t('setup.done.title')}</h1>
      <p class="utrecht-paragraph">{t('setup.done.text')}</p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer/inloggen')}>
          {t('setup.done.sign_in')}
        </a>
      </p>
    </StaffLayout>
  );
}
