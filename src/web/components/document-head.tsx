import type { ComponentChildren } from 'preact';
import type { PageContext } from '../page-context.ts';

interface DocumentProps {
  ctx: PageContext;
  /** Page title without the site name; prefixed with "Fout:" when the page shows form errors. */
  title: string;
  siteName: string;
  hasErrors: boolean;
}

/**
 * The `<head>` every page shares, public or staff: no referrer (links never carry the page's URL
 * elsewhere), no archiving, our stylesheet and our one deferred script under the CSP nonce.
 */
export function DocumentHead({ ctx, title, siteName, hasErrors }: DocumentProps) {
  const fullTitle = `${hasErrors ? `${ctx.t('common.error_prefix')} ` : ''}${title} | ${siteName}`;
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <meta name="robots" content="noarchive" />
      <title>{fullTitle}</title>
      <link rel="stylesheet" href={ctx.assets.stylesheet} />
      <script src={ctx.assets.script} nonce={ctx.nonce} defer />
    </head>
  );
}

/** The document around every layout: language, the shared head, and the skip link to `#main`. */
export function HtmlDocument({ children, ...props }: DocumentProps & { children: ComponentChildren }) {
  const { ctx } = props;
  return (
    <html lang={ctx.locale} class="baken-html">
      <DocumentHead {...props} />
      <body class="utrecht-document utrecht-document--surface baken-theme">
        <a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#main">
          {ctx.t('common.skip_to_content')}
        </a>
        {children}
      </body>
    </html>
  );
}

/** The same page in the other language, named in that language. */
export function LanguageLink({ ctx }: { ctx: PageContext }) {
  return (
    <a
      class="utrecht-link baken-lang"
      href={ctx.alternate.href}
      lang={ctx.alternate.locale}
      hreflang={ctx.alternate.locale}
    >
      {ctx.t(`common.switch_to.${ctx.alternate.locale}`)}
    </a>
  );
}
