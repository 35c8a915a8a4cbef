import type { ComponentChildren } from 'preact';
import type { PageContext } from '../page-context.ts';
import { HtmlDocument, LanguageLink } from './document-head.tsx';
import { StaffNavigation } from './staff-navigation.tsx';

/**
 * The back office's frame: skip link, a header with the product and region and, once signed in, the
 * navigation for one's role; main. No quick exit and no public navigation.
 */
export function StaffLayout({
  ctx,
  title,
  hasErrors = false,
  children,
}: {
  ctx: PageContext;
  /** Page title without the product name; prefixed with "Fout:" when the page shows form errors. */
  title: string;
  hasErrors?: boolean;
  children: ComponentChildren;
}) {
  const { t, region } = ctx;
  return (
    <HtmlDocument
      ctx={ctx}
      title={title}
      siteName={t('staff.layout.site_name', { region: region.name })}
      hasErrors={hasErrors}
    >
      <div class="utrecht-page-layout baken-page">
        <header class="utrecht-page-header baken-header">
          <div class="baken-header__inner">
            <p class="baken-logo">
              <span class="baken-logo__name">{t('staff.layout.product_name')}</span>
              <span class="baken-logo__org">{t('staff.layout.region', { region: region.name })}</span>
            </p>
            <LanguageLink ctx={ctx} />
          </div>
          <StaffNavigation ctx={ctx} />
        </header>
        <main id="main" class="utrecht-page-body baken-main" tabindex={-1}>
          {children}
        </main>
      </div>
    </HtmlDocument>
  );
}
