import type { PageContext } from '../page-context.ts';

/** A page's h1 under a link back to where it was opened from (the first thing keyboard users reach). */
export function HeadingWithBackLink({
  ctx,
  back,
  backLabel,
  title,
}: {
  ctx: PageContext;
  /** Path without locale prefix; ctx.href adds it. */
  back: string;
  backLabel: string;
  title: string;
}) {
  return (
    <>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href(back)}>
          {backLabel}
        </a>
      </p>
      <h1 class="utrecht-heading-1">{title}</h1>
    </>
  );
}
