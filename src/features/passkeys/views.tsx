import type { PageContext } from '../../web/page-context.ts';
import { StaffLayout } from '../../web/components/staff-layout.tsx';
import { Notice } from '../../web/components/notice.tsx';
import {
  CheckboxGroup,
  ErrorSummary,
  HiddenField,
  SubmitButton,
  TextInput,
  errorFor,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { formatDateTime } from '../../web/format.ts';
import type { PasskeySummary } from './passkey-service.ts';
import { PASSKEY_NAME_MAX } from './passkey-service.ts';
import { configurableRoles } from './role-settings-service.ts';

/**
 * Passkey pages and the two widgets public/js/passkeys.js brings to life. Without JavaScript the
 * widgets stay hidden (`hidden`), and a sentence says what a passkey needs instead.
 */

/** The JSON endpoints a widget talks to, and the texts the script shows. */
function widgetData(ctx: PageContext, optionsPath: string, verifyPath: string, csrfToken: string) {
  return {
    'data-passkey-options': ctx.href(optionsPath),
    'data-passkey-verify': ctx.href(verifyPath),
    'data-passkey-csrf': csrfToken,
    'data-passkey-failed': ctx.t('passkeys.js.failed'),
    'data-passkey-cancelled': ctx.t('passkeys.js.cancelled'),
  };
}

/** Where the script writes what went wrong; announced when filled. */
function WidgetMessage() {
  return (
    <div class="utrecht-alert utrecht-alert--error" role="alert" data-passkey-error="" hidden>
      <p class="utrecht-paragraph" data-passkey-error-text="" />
    </div>
  );
}

/** Shown unless the script finds a browser that can use passkeys (and then hides it). */
function Unsupported({ text }: { text: string }) {
  return (
    <p class="utrecht-paragraph" data-passkey-unsupported="">
      {text}
    </p>
  );
}

/** "Sign in with a passkey": usernameless, from the login page or as the second factor. */
export function PasskeySignIn({
  ctx,
  csrfToken,
  heading,
  button,
}: {
  ctx: PageContext;
  csrfToken: string;
  /** A heading over the widget, when it is an alternative on a page with other forms. */
  heading?: string;
  button: string;
}) {
  return (
    <section
      class="baken-passkey"
      data-passkey="authenticate"
      {...widgetData(ctx, '/beheer/inloggen/passkey/opties', '/beheer/inloggen/passkey', csrfToken)}
      hidden
    >
      {heading ? <h2 class="utrecht-heading-2">{heading}</h2> : null}
      <WidgetMessage />
      <p class="utrecht-paragraph">
        <button type="button" class="utrecht-button utrecht-button--secondary-action" data-passkey-start="">
          {button}
        </button>
      </p>
    </section>
  );
}

/** The name field and the button that creates a passkey (on this device, a phone or a security key). */
function PasskeyRegistration({
  ctx,
  csrfToken,
  optionsPath,
  verifyPath,
}: {
  ctx: PageContext;
  csrfToken: string;
  optionsPath: string;
  verifyPath: string;
}) {
  const { t } = ctx;
  return (
    <>
      <form
        class="baken-form baken-passkey"
        data-passkey="register"
        {...widgetData(ctx, optionsPath, verifyPath, csrfToken)}
        novalidate
        hidden
      >
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <WidgetMessage />
        <TextInput
          name="name"
          label={t('passkeys.add.name')}
          hint={t('passkeys.add.name_hint')}
          maxLength={PASSKEY_NAME_MAX}
          required
        />
        <SubmitButton>{t('passkeys.add.submit')}</SubmitButton>
      </form>
      <Unsupported text={t('passkeys.add.unsupported')} />
    </>
  );
}

/** One's own passkeys: the list with a remove button each, and a form to add one. */
export function PasskeysPage({
  ctx,
  passkeys,
  csrfToken,
  errors,
  notice,
}: {
  ctx: PageContext;
  passkeys: PasskeySummary[];
  csrfToken: string;
  errors: FieldErrors;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const cell = 'utrecht-table__cell';
  const headerCell = 'utrecht-table__header-cell';
  return (
    <StaffLayout ctx={ctx} title={t('passkeys.page.title')} hasErrors={errors.length > 0}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer')}>
          {t('passkeys.page.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1">{t('passkeys.page.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <Notice text={notice} kind="info" />
      <p class="utrecht-paragraph">{t('passkeys.page.intro')}</p>
      <h2 class="utrecht-heading-2">{t('passkeys.list.heading')}</h2>
      {passkeys.length === 0 ? (
        <p class="utrecht-paragraph" data-passkeys-empty="">
          {t('passkeys.list.empty')}
        </p>
      ) : (
        <table class="utrecht-table utrecht-table--html-table" data-passkeys="">
          <caption class="utrecht-table__caption">{t('passkeys.list.caption')}</caption>
          <thead class="utrecht-table__header">
            <tr class="utrecht-table__row">
              <th class={headerCell} scope="col">
                {t('passkeys.list.name')}
              </th>
              <th class={headerCell} scope="col">
                {t('passkeys.list.created')}
              </th>
              <th class={headerCell} scope="col">
                {t('passkeys.list.last_used')}
              </th>
              <th class={headerCell} scope="col">
                {t('passkeys.list.actions')}
              </th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {passkeys.map((passkey) => (
              <tr class="utrecht-table__row" key={passkey.id} data-passkey-row={passkey.id}>
                <th class={headerCell} scope="row">
                  {passkey.name}
                </th>
                <td class={cell}>{formatDateTime(ctx, passkey.createdAt)}</td>
                <td class={cell}>
                  {passkey.lastUsedAt ? formatDateTime(ctx, passkey.lastUsedAt) : t('passkeys.list.never')}
                </td>
                <td class={cell}>
                  <form method="post" action={ctx.href(`/beheer/account/passkeys/${passkey.id}/verwijderen`)}>
                    <HiddenField name={CSRF_FIELD} value={csrfToken} />
                    <button
                      type="submit"
                      class="utrecht-button utrecht-button--secondary-action utrecht-button--submit"
                      aria-label={t('passkeys.list.remove_named', { name: passkey.name })}
                    >
                      {t('passkeys.list.remove')}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 class="utrecht-heading-2">{t('passkeys.add.heading')}</h2>
      <PasskeyRegistration
        ctx={ctx}
        csrfToken={csrfToken}
        optionsPath="/beheer/account/passkeys/opties"
        verifyPath="/beheer/account/passkeys"
      />
    </StaffLayout>
  );
}

/**
 * Password and second factor were accepted, but the role requires a passkey and the user has none:
 * registering one is the only thing this session can do.
 */
export function PasskeyEnrolmentPage({ ctx, csrfToken }: { ctx: PageContext; csrfToken: string }) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('passkeys.enrol.title')}>
      <h1 class="utrecht-heading-1">{t('passkeys.enrol.title')}</h1>
      <p class="utrecht-paragraph" data-passkey-required="">
        {t('passkeys.enrol.intro')}
      </p>
      <PasskeyRegistration
        ctx={ctx}
        csrfToken={csrfToken}
        optionsPath="/beheer/passkey-instellen/opties"
        verifyPath="/beheer/passkey-instellen"
      />
      <form method="post" action={ctx.href('/beheer/uitloggen')}>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <SubmitButton variant="secondary">{t('passkeys.enrol.cancel')}</SubmitButton>
      </form>
    </StaffLayout>
  );
}

/** Per role: whether password + TOTP is enough, or a passkey is required. */
export function RoleSettingsPage({
  ctx,
  required,
  csrfToken,
  errors,
  notice,
}: {
  ctx: PageContext;
  required: readonly string[];
  csrfToken: string;
  errors: FieldErrors;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  return (
    <StaffLayout ctx={ctx} title={t('passkeys.roles.title')} hasErrors={errors.length > 0}>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/beheer')}>
          {t('passkeys.page.back')}
        </a>
      </p>
      <h1 class="utrecht-heading-1">{t('passkeys.roles.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      <Notice text={notice} kind="info" />
      <form class="baken-form" method="post" action={ctx.href('/beheer/instellingen/rollen')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <CheckboxGroup
          name="require_passkey"
          legend={t('passkeys.roles.legend')}
          hint={t('passkeys.roles.hint')}
          options={configurableRoles.map((role) => ({ value: role, label: t(`auth.role.${role}`) }))}
          values={required}
          error={errorFor(errors, 'require_passkey')}
        />
        <SubmitButton>{t('passkeys.roles.submit')}</SubmitButton>
      </form>
    </StaffLayout>
  );
}
