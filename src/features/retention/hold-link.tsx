import type { PageContext } from '../../web/page-context.ts';
import { can } from '../../web/policy.ts';
import { legalHoldPath } from './paths.ts';

/**
 * The case page's way to the legal hold, for whoever may place one (a coordinator). Kept here, apart
 * from views.tsx, so the case views can include it without importing the retention pages.
 */
export function LegalHoldSection({ ctx, caseId }: { ctx: PageContext; caseId: string }) {
  if (!ctx.staffRole || !can(ctx.staffRole, 'cases.legal_hold')) return null;
  const { t } = ctx;
  return (
    <section aria-labelledby="case-legal-hold-heading">
      <h2 class="utrecht-heading-2" id="case-legal-hold-heading">
        {t('retention.hold.title')}
      </h2>
      <p class="utrecht-paragraph">{t('retention.hold.section_intro')}</p>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href(legalHoldPath(caseId))} data-legal-hold-link="">
          {t('retention.hold.manage')}
        </a>
      </p>
    </section>
  );
}

/** The timeline's words for the hold's events (the reason itself shows as the event's note). */
export function legalHoldEventText(ctx: PageContext, event: string): string | undefined {
  if (event === 'legal_hold_placed') return ctx.t('retention.timeline.placed');
  if (event === 'legal_hold_lifted') return ctx.t('retention.timeline.lifted');
  return undefined;
}
