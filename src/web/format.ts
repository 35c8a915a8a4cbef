import type { PageContext } from './page-context.ts';

/** Dates and times as staff in the region read them: Dutch or British style, Amsterdam time. */
const formatter = (ctx: PageContext, options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat(ctx.locale === 'nl' ? 'nl-NL' : 'en-GB', {
    ...options,
    timeZone: 'Europe/Amsterdam',
  });

export const formatDateTime = (ctx: PageContext, date: Date) =>
  formatter(ctx, { dateStyle: 'medium', timeStyle: 'short' }).format(date);

/** With seconds: where the order of events close together matters (the audit log). */
export const formatDateTimeToSecond = (ctx: PageContext, date: Date) =>
  formatter(ctx, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);

export const formatDate = (ctx: PageContext, date: Date) =>
  formatter(ctx, { dateStyle: 'medium' }).format(date);

/** A calendar date 'YYYY-MM-DD' (no time, so no time zone shift). */
export const formatCalendarDate = (ctx: PageContext, date: string) =>
  new Intl.DateTimeFormat(ctx.locale === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'medium',
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));
