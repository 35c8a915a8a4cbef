import type { PageContext } from '../../../web/page-context.ts';
import { PublicLayout } from '../../../web/components/layout.tsx';
import { formatReceiptCode } from '../receipt.ts';

export type ConfirmationState =
  { status: 'show'; code: string } | { status: 'already_shown' } | { status: 'unknown' };

export function ConfirmationPage({ ctx, state }: { ctx: PageContext; state: ConfirmationState }) {
  const { t } = ctx;
  if (state.status === 'unknown') {
    return (
      <PublicLayout ctx={ctx} title={t('intake.start.title')}>
        <h1 class="utrecht-heading-1">{t('intake.start.title')}</h1>
        <p class="utrecht-paragraph">{t('intake.confirmation.nothing')}</p>
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={ctx.href('/melden')}>
            {t('intake.confirmation.start_link')}
          </a>
        </p>
      </PublicLayout>
    );
  }
  return (
    <PublicLayout ctx={ctx} title={t('intake.confirmation.title')}>
      <h1 class="utrecht-heading-1">{t('intake.confirmation.title')}</h1>
      <p class="utrecht-paragraph">{t('intake.confirmation.thanks')}</p>
      {state.status === 'show' ? (
        <section class="baken-receipt" aria-labelledby="receipt-heading">
          <h2 class="utrecht-heading-2" id="receipt-heading">
            {t('intake.confirmation.code_heading')}
          </h2>
          <p class="utrecht-paragraph">{t('intake.confirmation.code_intro')}</p>
          <p
            class="baken-receipt__code"
            aria-label={t('intake.confirmation.code_label')}
            data-receipt-code=""
          >
            {formatReceiptCode(state.code)}
          </p>
          <h3 class="utrecht-heading-3">{t('intake.confirmation.keep_heading')}</h3>
          <ul class="utrecht-unordered-list">
            <li class="utrecht-unordered-list__item">{t('intake.confirmation.keep_1')}</li>
            <li class="utrecht-unordered-list__item">{t('intake.confirmation.keep_2')}</li>
            <li class="utrecht-unordered-list__item">{t('intake.confirmation.keep_3')}</li>
          </ul>
        </section>
      ) : (
        <p class="utrecht-paragraph">{t('intake.confirmation.already_shown')}</p>
      )}
      <h2 class="utrecht-heading-2">{t('intake.confirmation.next_heading')}</h2>
      <p class="utrecht-paragraph">{t('intake.confirmation.next')}</p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href('/mijn-melding')}>
          {t('intake.confirmation.mailbox_link')}
        </a>
      </p>
    </PublicLayout>
  );
}
