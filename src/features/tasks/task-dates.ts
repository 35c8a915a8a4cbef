/**
 * Due dates are calendar dates ('YYYY-MM-DD', no time), as the centre's staff mean them: "today" is
 * today in the Netherlands, whatever the server's clock zone.
 */
export const CENTRE_TIME_ZONE = 'Europe/Amsterdam';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real date in the calendar (no 30 February), written YYYY-MM-DD, between the years 2000 and 2999. */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 2000 || year > 2999) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The calendar date of an instant in a time zone, as YYYY-MM-DD. */
export function calendarDateIn(timeZone: string, instant: Date): string {
  // The Swedish locale writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

export const centreToday = (now: Date = new Date()) => calendarDateIn(CENTRE_TIME_ZONE, now);

/** Due before today. YYYY-MM-DD strings compare like the dates they are. */
export const isOverdue = (dueOn: string | null, today: string) => dueOn !== null && dueOn < today;
