import type { PageContext } from '../../web/page-context.ts';

/** The case timeline's words for this feature's event; undefined for any other event. */
export function subjectRightsEventText(ctx: PageContext, event: string): string | undefined {
  return event === 'person_erased' ? ctx.t('subject_rights.timeline.person_erased') : undefined;
}
