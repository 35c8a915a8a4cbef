import type { IntakeLimits } from '../../../config/config.ts';
import type { PageContext } from '../../../web/page-context.ts';
import { PublicLayout } from '../../../web/components/layout.tsx';
import {
  CheckboxGroup,
  ErrorSummary,
  FileField,
  HiddenField,
  RadioGroup,
  SelectField,
  SubmitButton,
  TextArea,
  TextInput,
  errorFor,
  fieldId,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';
import { CHALLENGE_FIELD, SOLUTION_FIELD } from '../proof-of-work.ts';
import { audiences, organisationTypes, publicExploitationForms, replyChannels } from '../report-form.ts';

export interface ReportFormProps {
  ctx: PageContext;
  values: Record<string, unknown>;
  errors: FieldErrors;
  csrfToken: string;
  submissionKey: string;
  /** The signed proof-of-work challenge the form's script solves (see proof-of-work.ts). */
  challenge: string;
  acuteDanger: 'yes' | 'no';
  limits: IntakeLimits;
}

/** What the file picker offers; the server decides by content, not by this list. */
export const acceptedFiles =
  'image/jpeg,image/png,image/webp,image/gif,application/pdf,.jpg,.jpeg,.png,.webp,.gif,.pdf';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const list = (value: unknown) =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Where the error summary links for a field: a group's first option, else the field itself. */
function firstControl(field: string): string {
  if (field === 'audience') return fieldId(field, audiences[0]);
  if (field === 'exploitation_forms') return fieldId(field, publicExploitationForms[0]);
  if (field === 'reply_channel') return fieldId(field, replyChannels[0]);
  if (field === 'may_leave_message') return fieldId(field, 'yes');
  if (field === 'consent') return fieldId(field, 'yes');
  return fieldId(field);
}

export function DangerAlert({ ctx }: { ctx: PageContext }) {
  return (
    <div class="utrecht-alert utrecht-alert--error baken-danger" role="alert">
      <div class="utrecht-alert__content">
        <h2 class="utrecht-heading-2">{ctx.t('intake.danger_alert.heading')}</h2>
        <p class="utrecht-paragraph">{ctx.t('intake.danger_alert.text')}</p>
        <p class="utrecht-paragraph">
          <a class="utrecht-button-link utrecht-button-link--primary-action baken-call" href="tel:112">
            112
          </a>
        </p>
        <p class="utrecht-paragraph">{ctx.t('intake.danger_alert.after')}</p>
      </div>
    </div>
  );
}

export function ReportFormPage({
  ctx,
  values,
  errors,
  csrfToken,
  submissionKey,
  challenge,
  acuteDanger,
  limits,
}: ReportFormProps) {
  const { t } = ctx;
  const optional = (label: string) => t('intake.form.optional', { label });
  const maxMegabytes = Math.round(limits.maxFileBytes / (1024 * 1024));
  const municipalities = [
    ...ctx.region.municipalities.map((m) => ({ value: m.code, label: m.name })),
    { value: 'outside', label: t('intake.municipality.outside', { region: ctx.region.name }) },
    { value: 'unknown', label: t('intake.municipality.unknown') },
  ];
  return (
    <PublicLayout ctx={ctx} title={t('intake.form.title')} hasErrors={errors.length > 0}>
      {acuteDanger === 'yes' ? <DangerAlert ctx={ctx} /> : null}
      <h1 class="utrecht-heading-1">{t('intake.form.title')}</h1>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} firstControl={firstControl} />
      <p class="utrecht-paragraph">{t('intake.form.intro')}</p>
      <form
        class="baken-form"
        method="post"
        action={ctx.href('/melden/versturen')}
        enctype="multipart/form-data"
        novalidate
        data-report-form=""
      >
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <HiddenField name="submission_key" value={submissionKey} />
        <HiddenField name="acute_danger" value={acuteDanger} />
        <HiddenField name={CHALLENGE_FIELD} value={challenge} />
        <HiddenField name={SOLUTION_FIELD} value="" />
        <RadioGroup
          name="audience"
          legend={t('intake.audience.legend')}
          options={audiences.map((a) => ({ value: a, label: t(`intake.audience.${a}`) }))}
          value={text(values.audience)}
          error={errorFor(errors, 'audience')}
        />
        <SelectField
          name="professional_org_type"
          label={t('intake.org_type.label')}
          hint={t('intake.org_type.hint')}
          placeholder={t('intake.org_type.placeholder')}
          options={organisationTypes.map((o) => ({ value: o, label: t(`intake.org_type.${o}`) }))}
          value={text(values.professional_org_type)}
          error={errorFor(errors, 'professional_org_type')}
        />
        <CheckboxGroup
          name="exploitation_forms"
          legend={t('intake.forms.legend')}
          hint={t('intake.forms.hint')}
          options={publicExploitationForms.map((f) => ({ value: f, label: t(`intake.forms.${f}`) }))}
          values={list(values.exploitation_forms)}
          error={errorFor(errors, 'exploitation_forms')}
        />
        <SelectField
          name="municipality"
          label={t('intake.municipality.label')}
          hint={t('intake.municipality.hint')}
          placeholder={t('intake.municipality.placeholder')}
          options={municipalities}
          value={text(values.municipality)}
          error={errorFor(errors, 'municipality')}
        />
        <TextArea
          name="narrative"
          label={t('intake.narrative.label')}
          hint={t('intake.narrative.hint')}
          value={text(values.narrative)}
          maxLength={limits.maxNarrativeChars}
          rows={10}
          error={errorFor(errors, 'narrative')}
        />
        <RadioGroup
          name="reply_channel"
          legend={t('intake.reply.legend')}
          options={replyChannels.map((c) => ({
            value: c,
            label: t(`intake.reply.${c}`),
            hint: t(`intake.reply.${c}_hint`),
          }))}
          value={text(values.reply_channel)}
          error={errorFor(errors, 'reply_channel')}
        />
        <ContactFields ctx={ctx} values={values} errors={errors} optional={optional} />
        <FileField
          name="files"
          label={optional(t('intake.files.label'))}
          hint={t('intake.files.hint', { maxFiles: limits.maxFiles, maxMegabytes })}
          accept={acceptedFiles}
          multiple
          error={errorFor(errors, 'files')}
        />
        <div class="baken-consent">
          <h2 class="utrecht-heading-2">{t('intake.consent.legend')}</h2>
          <p class="utrecht-paragraph">{t('intake.consent.text')}</p>
          <p class="utrecht-paragraph">
            <a class="utrecht-link" href={ctx.href('/privacy')}>
              {t('intake.consent.privacy_link')}
            </a>
          </p>
          <CheckboxGroup
            name="consent"
            legend={t('intake.consent.legend')}
            options={[{ value: 'yes', label: t('intake.consent.label') }]}
            values={text(values.consent) ? [text(values.consent) ?? ''] : []}
            error={errorFor(errors, 'consent')}
          />
        </div>
        <SubmitButton>{t('intake.submit')}</SubmitButton>
      </form>
    </PublicLayout>
  );
}

function ContactFields({
  ctx,
  values,
  errors,
  optional,
}: {
  ctx: PageContext;
  values: Record<string, unknown>;
  errors: FieldErrors;
  optional: (label: string) => string;
}) {
  const { t } = ctx;
  return (
    <div class="utrecht-form-fieldset baken-contact" data-contact-fields="">
      <fieldset
        class="utrecht-form-fieldset__fieldset utrecht-form-fieldset--html-fieldset"
        aria-describedby="contact-intro"
      >
        <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
          {t('intake.contact.legend')}
        </legend>
        <p class="utrecht-paragraph" id="contact-intro">
          {t('intake.contact.intro')}
        </p>
        <TextInput
          name="contact_name"
          label={optional(t('intake.contact.name'))}
          hint={t('intake.contact.name_hint')}
          value={text(values.contact_name)}
          maxLength={200}
          error={errorFor(errors, 'contact_name')}
        />
        <TextInput
          name="contact_email"
          type="email"
          label={t('intake.contact.email')}
          hint={t('intake.contact.email_hint')}
          value={text(values.contact_email)}
          // Not "email": the browser would remember the address on a device others may use.
          autocomplete="off"
          spellcheck={false}
          maxLength={254}
          error={errorFor(errors, 'contact_email')}
        />
        <TextInput
          name="contact_phone"
          type="tel"
          label={t('intake.contact.phone')}
          value={text(values.contact_phone)}
          autocomplete="off"
          maxLength={30}
          error={errorFor(errors, 'contact_phone')}
        />
        <TextArea
          name="safe_contact_hints"
          label={optional(t('intake.contact.safe_hints'))}
          hint={t('intake.contact.safe_hints_hint')}
          value={text(values.safe_contact_hints)}
          maxLength={1000}
          rows={3}
          error={errorFor(errors, 'safe_contact_hints')}
        />
        <RadioGroup
          name="may_leave_message"
          legend={optional(t('intake.contact.may_leave_message'))}
          options={[
            { value: 'yes', label: t('common.yes') },
            { value: 'no', label: t('common.no') },
          ]}
          value={text(values.may_leave_message)}
          error={errorFor(errors, 'may_leave_message')}
        />
      </fieldset>
    </div>
  );
}
