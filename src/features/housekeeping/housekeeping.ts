import { removeExpiredMailboxSessions } from '../intake/mailbox-service.ts';
import { removeExpiredStaffSessions } from '../auth/session-service.ts';
import { removeExpiredChallenges } from '../passkeys/passkey-service.ts';
import { sendTaskReminders, type ReminderSettings } from '../tasks/reminders.ts';
import { CENTRE_TIME_ZONE } from '../tasks/task-dates.ts';
import { dailyAt, every } from '../jobs/schedule.ts';
import type { JobDefinition } from '../jobs/scheduler.ts';

export const EXPIRED_SESSIONS_EVERY_MS = 10 * 60 * 1000;
/** Reminders go out once a day, before the working day, so a task due today is known in the morning. */
export const TASK_REMINDER_TIME = '07:00';

/**
 * Cleanups of what has expired, and the morning task reminders, as scheduled jobs (features/jobs): one
 * run per slot across all app processes.
 */
export function housekeepingJobs(reminders: ReminderSettings): JobDefinition[] {
  return [
    {
      name: 'expired-sessions',
      schedule: every(EXPIRED_SESSIONS_EVERY_MS),
      async run({ db, now }) {
        const at = now.getTime();
        return {
          reporterSessions: await removeExpiredMailboxSessions(db, at),
          staffSessions: await removeExpiredStaffSessions(db, at),
          webauthnChallenges: await removeExpiredChallenges(db, at),
        };
      },
    },
    {
      name: 'task-reminders',
      schedule: dailyAt(TASK_REMINDER_TIME, CENTRE_TIME_ZONE),
      // Marks what it sent (reminded_at) in the same transaction as it queues the mail: a second run
      // or a crash mid-run sends nothing twice.
      run: async ({ db, now }) => ({ mails: await sendTaskReminders(db, reminders, now) }),
    },
  ];
}
