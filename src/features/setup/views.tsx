import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import {
  EmailInput,
  ErrorSummary,
  HiddenField,
  NewPasswordFields,
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
        <EmailInput
          name="email"
          label={t('setup.form.email')}
          hint={t('setup.form.email_hint')}
          value={values.email}
          autocomplete="username"
          required
          error={errorFor(errors, 'email')}
        />
        <NewPasswordFields
          label={t('setup.form.password')}
          hint={t('setup.form.password_hint', { min: PASSWORD_MIN_CHARS })}
          repeatLabel={t('setup.form.password_repeat')}
          errors={errors}
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
