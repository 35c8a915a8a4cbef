import type { PageContext } from '../../../web/page-context.ts';
import { PublicLayout } from '../../../web/components/layout.tsx';
import {
  ErrorSummary,
  HiddenField,
  RadioGroup,
  SubmitButton,
  errorFor,
  fieldId,
  type FieldErrors,
} from '../../../web/components/form.tsx';
import { CSRF_FIELD } from '../../../web/csrf.ts';

/** First step: the danger question comes before anything else, so "call 112" is said first. */
export function StartPage({
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
    <PublicLayout ctx={ctx} title={t('intake.start.title')} hasErrors={errors.length > 0}>
      <h1 class="utrecht-heading-1">{t('intake.start.title')}</h1>
      <ErrorSummary
        errors={errors}
        heading={t('validation.summary_heading')}
        firstControl={(f) => fieldId(f, 'yes')}
      />
      <p class="utrecht-paragraph">{t('intake.start.intro')}</p>
      <p class="utrecht-paragraph">{t('intake.start.who')}</p>
      <h2 class="utrecht-heading-2">{t('intake.start.how_heading')}</h2>
      <ol class="utrecht-ordered-list">
        <li class="utrecht-ordered-list__item">{t('intake.start.how_1')}</li>
        <li class="utrecht-ordered-list__item">{t('intake.start.how_2')}</li>
        <li class="utrecht-ordered-list__item">{t('intake.start.how_3')}</li>
      </ol>
      <p class="utrecht-paragraph">
        {t('intake.start.safety')}{' '}
        <a class="utrecht-link" href={ctx.href('/veilig-internetten')}>
          {t('intake.start.safety_link')}
        </a>
      </p>
      <form class="baken-form" method="post" action={ctx.href('/melden')} novalidate>
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <RadioGroup
          name="acute_danger"
          legend={t('intake.danger.legend')}
          hint={t('intake.danger.hint')}
          options={[
            { value: 'yes', label: t('intake.danger.yes') },
            { value: 'no', label: t('intake.danger.no') },
          ]}
          error={errorFor(errors, 'acute_danger')}
        />
        <SubmitButton>{t('intake.continue')}</SubmitButton>
      </form>
    </PublicLayout>
  );
}
