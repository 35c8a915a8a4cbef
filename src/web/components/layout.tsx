import type { ComponentChildren } from 'preact';
import type { PageContext } from '../page-context.ts';
import { HtmlDocument, LanguageLink } from './document-head.tsx';

interface LayoutProps {
  ctx: PageContext;
  /** Page title without the site name; prefixed with "Fout:" when the page shows form errors. */
  title: string;
  hasErrors?: boolean;
  children: ComponentChildren;
}

/** The public site's frame: skip link, quick exit, header, main, footer. Staff pages have their own. */
export function PublicLayout({ ctx, title, hasErrors = false, children }: LayoutProps) {
  const { t, region } = ctx;
  return (
    <HtmlDocument
      ctx={ctx}
      title={title}
      siteName={t('common.site_name', { region: region.name })}
      hasErrors={hasErrors}
    >
      <div class="utrecht-page-layout baken-page">
        <header class="utrecht-page-header baken-header">
          {/* Inside the banner landmark, so it is found when moving by landmarks, and first in tab order. */}
          <QuickExit ctx={ctx} />
          <div class="baken-header__inner">
            <a class="baken-logo" href={ctx.href('/')}>
              <span class="baken-logo__name">{t('common.site_name', { region: region.name })}</span>{' '}
              <span class="baken-logo__org">{region.organisation.parent}</span>
            </a>
            <LanguageLink ctx={ctx} />
          </div>
          <nav class="baken-nav" aria-label={t('common.nav.label')}>
            <ul class="baken-nav__list">
              {mainNavigation.map((item) => (
                <li key={item.path}>
                  <a
                    class="baken-nav__link"
                    href={ctx.href(item.path)}
                    aria-current={isCurrent(ctx.path, item.path) ? 'page' : undefined}
                  >
                    {t(item.label)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" class="utrecht-page-body baken-main" tabindex={-1}>
          {children}
        </main>
        <PublicFooter ctx={ctx} />
      </div>
    </HtmlDocument>
  );
}

const mainNavigation = [
  { path: '/', label: 'common.nav.home' },
  { path: '/wat-is-mensenhandel', label: 'common.nav.what_is' },
  { path: '/melden', label: 'common.nav.report' },
  { path: '/mijn-melding', label: 'common.nav.mailbox' },
  { path: '/contact', label: 'common.nav.contact' },
];

function isCurrent(current: string, item: string): boolean {
  return item === '/' ? current === '/' : current === item || current.startsWith(`${item}/`);
}

/**
 * A link to a neutral site: works without JavaScript; with JavaScript it also replaces this page in the
 * history and answers to Escape pressed twice (public/js/app.js).
 */
function QuickExit({ ctx }: { ctx: PageContext }) {
  return (
    <div class="baken-quick-exit">
      <a
        class="baken-quick-exit__link"
        href={ctx.region.quickExitUrl}
        rel="noreferrer noopener"
        data-quick-exit=""
      >
        {ctx.t('common.quick_exit.label')}{' '}
        {/* Escape only works with JavaScript, so app.js reveals this hint. */}
        <span class="baken-quick-exit__hint" hidden data-quick-exit-hint="">
          {ctx.t('common.quick_exit.hint')}
        </span>
      </a>
    </div>
  );
}

function PublicFooter({ ctx }: { ctx: PageContext }) {
  const { t, region } = ctx;
  return (
    <footer class="utrecht-page-footer baken-footer">
      <div class="baken-footer__columns">
        <section aria-labelledby="footer-emergency">
          <h2 id="footer-emergency" class="baken-footer__heading">
            {t('common.footer.emergency_heading')}
          </h2>
          <p>{t('common.footer.emergency', { police: region.emergency.police })}</p>
          <p>{t('common.footer.crime_line', { number: region.emergency.anonymousCrimeLine })}</p>
        </section>
        <section aria-labelledby="footer-contact">
          <h2 id="footer-contact" class="baken-footer__heading">
            {t('common.footer.contact_heading')}
          </h2>
          <p>
            {region.organisation.name}
            <br />
            {t('common.footer.phone', { phone: region.contact.phone })}
            <br />
            {region.contact.openingHours[ctx.locale]}
          </p>
        </section>
        <nav aria-labelledby="footer-more">
          <h2 id="footer-more" class="baken-footer__heading">
            {t('common.footer.more_heading')}
          </h2>
          <ul class="baken-footer__links">
            {footerLinks.map((link) => (
              <li key={link.path}>
                <a class="baken-footer__link" href={ctx.href(link.path)}>
                  {t(link.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </footer>
  );
}

const footerLinks = [
  { path: '/veilig-internetten', label: 'common.footer.safe_browsing' },
  { path: '/privacy', label: 'common.footer.privacy' },
  { path: '/toegankelijkheid', label: 'common.footer.accessibility' },
];
