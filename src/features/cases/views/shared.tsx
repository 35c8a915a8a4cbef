import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../../web/page-context.ts';
import { municipalityName } from '../../inbox/views.tsx';

export { municipalityName } from '../../inbox/views.tsx';
export { formatDate, formatDateTime } from '../../../web/format.ts';

/** Labels of coded values: `cases.<list>.<code>` in the catalogs. */
export const label = (ctx: PageContext, list: string, code: string) => ctx.t(`cases.${list}.${code}`);

export const labels = (ctx: PageContext, list: string, codes: readonly string[]) =>
  codes.length === 0 ? ctx.t('cases.none') : codes.map((code) => label(ctx, list, code)).join(', ');

/** Every municipality a case can be in: the region's, outside the region, unknown. */
export const municipalityOptions = (ctx: PageContext) => [
  ...ctx.region.municipalities.map((m) => ({ value: m.code, label: m.name })),
  { value: 'outside', label: municipalityName(ctx, 'outside') },
  { value: 'unknown', label: municipalityName(ctx, 'unknown') },
];

export function Fact({ label: term, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="utrecht-alert utrecht-alert--ok" role="status">
      <p class="utrecht-paragraph">{children}</p>
    </div>
  );
}
