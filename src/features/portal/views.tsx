import type { PageContext } from '../../web/page-context.ts';
import { PublicLayout } from '../../web/components/layout.tsx';

export function HomePage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx;
  return (
    <PublicLayout ctx={ctx} title={t('portal.home.title')}>
      <h1 class="utrecht-heading-1">{t('portal.home.title')}</h1>
      <p class="utrecht-paragraph">{t('portal.home.intro')}</p>
    </PublicLayout>
  );
}
