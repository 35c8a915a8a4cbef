/**
 * When a scheduled job runs next. Interval jobs keep a fixed cadence from their first slot (a slow run
 * or a restart does not shift them, and missed slots are not made up in a burst). Daily jobs run at a
 * wall-clock time in a named time zone, so "03:00" stays 03:00 in Amsterdam through summer time and
 * whatever zone the server's clock is set to.
 */
export type Schedule = { everyMs: number } | { dailyAt: string; timeZone: string };

const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function every(ms: number): Schedule {
  if (!Number.isInteger(ms) || ms < 1) throw new Error('A job interval must be a positive number of ms');
  return { everyMs: ms };
}

export function dailyAt(time: string, timeZone: string): Schedule {
  if (!TIME_PATTERN.test(time)) throw new Error(`A daily job time must look like 03:00, not "${time}"`);
  // Throws a RangeError for an unknown zone now rather than at the first run.
  zoneFormat(timeZone);
  return { dailyAt: time, timeZone };
}

export function describeSchedule(schedule: Schedule): string {
  return 'everyMs' in schedule
    ? `every ${schedule.everyMs / 1000} s`
    : `daily ${schedule.dailyAt} ${schedule.timeZone}`;
}

/** The first slot of a job never run before: interval jobs run at once, daily jobs at the next time. */
export function firstRun(schedule: Schedule, now: Date): Date {
  return 'everyMs' in schedule ? now : nextDaily(schedule, now);
}

/**
 * The latest a job's next slot may be, given its schedule now. A stored slot later than this (the
 * schedule was shortened or moved earlier in a new version) is brought forward to it.
 */
export function latestNextRun(schedule: Schedule, now: Date): Date {
  return 'everyMs' in schedule ? new Date(now.getTime() + schedule.everyMs) : nextDaily(schedule, now);
}

/** The slot after `slot` that is later than `now`. */
export function nextRun(schedule: Schedule, slot: Date, now: Date): Date {
  if ('everyMs' in schedule) {
    const step = schedule.everyMs;
    const behind = Math.max(0, now.getTime() - slot.getTime());
    return new Date(slot.getTime() + (Math.floor(behind / step) + 1) * step);
  }
  return nextDaily(schedule, slot > now ? slot : now);
}

/** The first moment strictly after `after` at which the clock in the zone shows the daily time. */
function nextDaily(schedule: { dailyAt: string; timeZone: string }, after: Date): Date {
  const [hour, minute] = schedule.dailyAt.split(':').map(Number) as [number, number];
  const today = localParts(schedule.timeZone, after);
  for (let days = 0; days < 3; days++) {
    const candidate = localToInstant(
      schedule.timeZone,
      today.year,
      today.month,
      today.day + days,
      hour,
      minute,
    );
    if (candidate > after) return candidate;
  }
  // Unreachable: one of three consecutive days has the time later than `after`.
  throw new Error('No next daily run found');
}

const formats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

function localParts(timeZone: string, instant: Date) {
  const parts: Record<string, number> = {};
  for (const part of zoneFormat(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far the zone's clock is ahead of UTC at `instant`, in ms. */
function zoneOffsetMs(timeZone: string, instant: number): number {
  const wholeSecond = Math.floor(instant / 1000) * 1000;
  const local = localParts(timeZone, new Date(wholeSecond));
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - wholeSecond;
}

/**
 * The instant at which the zone's clock shows the given local time. Day overflow (31 + 1) is handled
 * by Date.UTC. A time that does not exist (inside the spring-forward gap) comes out an hour later,
 * which is what a person would expect of "02:30" on that night.
 */
function localToInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): Date {
  const wallClock = Date.UTC(year, month - 1, day, hour, minute);
  const guess = wallClock - zoneOffsetMs(timeZone, wallClock);
  return new Date(wallClock - zoneOffsetMs(timeZone, guess));
}
