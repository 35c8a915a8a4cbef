import type { MessageValues } from '../../i18n/i18n.ts';
import type { PageContext } from '../page-context.ts';
import { errorCodes, type ErrorCode } from '../errors.ts';
import { PublicLayout } from './layout.tsx';

/** Every error, whatever its cause, is shown in the site's own layout and never with a stack trace. */
export function ErrorPage({
  ctx,
  code,
  requestId,
  values,
}: {
  ctx: PageContext;
  code: ErrorCode;
  requestId: string;
  values?: MessageValues;
}) {
  const key = errorCodes[code].messageKey;
  return (
    <PublicLayout ctx={ctx} title={ctx.t(`${key}.title`)}>
      <h1 class="utrecht-heading-1">{ctx.t(`${key}.title`)}</h1>
      <p class="utrecht-paragraph">{ctx.t(`${key}.text`, values)}</p>
      <ul class="utrecht-link-list">
        <li class="utrecht-link-list__item">
          <a class="utrecht-link" href={ctx.href('/')}>
            {ctx.t('error.home_link')}
          </a>
        </li>
        <li class="utrecht-link-list__item">
          <a class="utrecht-link" href={ctx.href('/contact')}>
            {ctx.t('error.help_link')}
          </a>
        </li>
      </ul>
      {code === 'internal' ? (
        <p class="utrecht-paragraph baken-muted">{ctx.t('error.reference', { requestId })}</p>
      ) : null}
    </PublicLayout>
  );
}
