import type { PageContext } from '../../../web/page-context.ts';
import { PublicLayout } from '../../../web/components/layout.tsx';
import {
  ErrorSummary,
  FileField,
  HiddenField,
  SubmitButton,
  TextArea,
  TextInput,
  errorFor,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { acceptedFiles } from './report-form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';
import type { Mailbox } from '../mailbox-service.ts';

export function MailboxLoginPage({
  ctx,
  errors,
  csrfToken,
  notice,
  pendingBody,
}: {
  ctx: PageContext;
  errors: FieldErrors;
  csrfToken: string;
  notice?: string | undefined;
  /** A message written before the session ran out, carried through the login. */
  pendingBody?: string | undefined;
}) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t('mailbox.login.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('mailbox.login.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      {notice ? (
        <div class="utrecht-alert utrecht-alert--info" role="status">
          <p class="utrecht-paragraph">{notice}</p>
        </div>
      ) : null}
      <p class="utrecht-paragraph">{t('mailbox.login.intro')}</p>
      <form class="baken-form" method="post" action={ctx.href('/mijn-melding')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        {pendingBody ? <HiddenField name="pending_body" value={pendingBody} /> : null}
        {/* The code is never put back into the field: it should not linger in the page. */}
        <TextInput
          name="code"
          label={t('mailbox.login.code')}
          hint={t('mailbox.login.code_hint')}
          inputMode="numeric"
          autocomplete="off"
          spellcheck={false}
          maxLength={40}
          class="baken-code-input"
          error={errorFor(errors, 'code')}
        />
        <SubmitButton>{t('mailbox.login.submit')}</SubmitButton>
      </form>
      <p class="utrecht-paragraph">
        {t('mailbox.login.no_code')}{' '}
        <a class="utrecht-link" href={ctx.href('/melden')}>
          {t('intake.confirmation.start_link')}
        </a>
      </p>
    </PublicLayout>
  );
}

const formatDate = (ctx: PageContext, date: Date) =>
  new Intl.DateTimeFormat(ctx.locale === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Amsterdam',
  }).format(date);

export function MailboxPage({
  ctx,
  mailbox,
  errors,
  values,
  csrfToken,
  sent,
  maxMessageChars,
}: {
  ctx: PageContext;
  mailbox: Mailbox;
  errors: FieldErrors;
  values: { body?: string | undefined };
  csrfToken: string;
  sent: boolean;
  maxMessageChars: number;
}) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t('mailbox.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('mailbox.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} />
      {sent ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status">
          <p class="utrecht-paragraph">{t('mailbox.sent')}</p>
        </div>
      ) : null}
      <section aria-labelledby="report-heading" class="baken-message baken-message--reporter">
        <h2 class="utrecht-heading-2" id="report-heading">
          {t('mailbox.received', { date: formatDate(ctx, mailbox.receivedAt) })}
        </h2>
        <h3 class="utrecht-heading-3">{t('mailbox.your_report')}</h3>
        <p class="utrecht-paragraph baken-message__body">{mailbox.narrative}</p>
        <p class="utrecht-paragraph baken-muted">
          {t('mailbox.attachments', { count: mailbox.initialAttachmentCount })}
        </p>
      </section>
      <section aria-labelledby="thread-heading">
        <h2 class="utrecht-heading-2" id="thread-heading">
          {t('mailbox.thread_heading')}
        </h2>
        {mailbox.messages.length === 0 ? <p class="utrecht-paragraph">{t('mailbox.no_messages')}</p> : null}
        <ol class="baken-thread">
          {mailbox.messages.map((message) => (
            <li
              key={message.id}
              class={`baken-message baken-message--${message.direction === 'from_centre' ? 'centre' : 'reporter'}`}
            >
              <h3 class="utrecht-heading-3">
                {t(message.direction === 'from_centre' ? 'mailbox.from_centre' : 'mailbox.from_reporter', {
                  date: formatDate(ctx, message.createdAt),
                })}
              </h3>
              <p class="utrecht-paragraph baken-message__body">{message.body}</p>
              {message.attachmentCount > 0 ? (
                <p class="utrecht-paragraph baken-muted">
                  {t('mailbox.attachments', { count: message.attachmentCount })}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="new-heading">
        <h2 class="utrecht-heading-2" id="new-heading">
          {t('mailbox.new_heading')}
        </h2>
        <form
          class="baken-form"
          method="post"
          action={ctx.href('/mijn-melding/berichten')}
          enctype="multipart/form-data"
          novalidate
        >
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <TextArea
            name="body"
            label={t('mailbox.new_message')}
            hint={t('mailbox.new_message_hint')}
            value={values.body}
            maxLength={maxMessageChars}
            rows={6}
            error={errorFor(errors, 'body')}
          />
          <FileField
            name="files"
            label={t('intake.form.optional', { label: t('intake.files.label') })}
            accept={acceptedFiles}
            multiple
            error={errorFor(errors, 'files')}
          />
          <SubmitButton>{t('mailbox.send')}</SubmitButton>
        </form>
      </section>
      <section aria-labelledby="close-heading" class="baken-close">
        <h2 class="utrecht-heading-2" id="close-heading">
          {t('mailbox.close_heading')}
        </h2>
        <p class="utrecht-paragraph">{t('mailbox.close_text')}</p>
        <form method="post" action={ctx.href('/mijn-melding/sluiten')}>
          <HiddenField name={CSRF_FIELD} value={csrfToken} />
          <SubmitButton variant="secondary">{t('mailbox.close')}</SubmitButton>
        </form>
      </section>
    </PublicLayout>
  );
}
