import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { removeExpiredMailboxSessions } from '../intake/mailbox-service.ts';
import { removeExpiredStaffSessions } from '../auth/session-service.ts';
import { removeExpiredChallenges } from '../passkeys/passkey-service.ts';
import { sendTaskReminders, type ReminderSettings } from '../tasks/reminders.ts';

const EVERY_MS = 10 * 60 * 1000;

/** Cleanups that only delete what has expired, so running them twice, or in two processes, is harmless. */
const tasks: { name: string; run: (db: Database) => Promise<number> }[] = [
  { name: 'expired reporter sessions', run: (db) => removeExpiredMailboxSessions(db) },
  { name: 'expired staff sessions', run: (db) => removeExpiredStaffSessions(db) },
  { name: 'expired WebAuthn challenges', run: (db) => removeExpiredChallenges(db) },
];

/**
 * Runs the cleanups at start and every ten minutes. The scheduled-job queue of a later issue (retention,
 * reminders, mail) can take these over.
 */
export function startHousekeeping(db: Database, logger: Logger, reminders?: ReminderSettings): () => void {
  // Task reminders mark what they sent (reminded_at) and skip rows another process holds: also harmless twice.
  const jobs = reminders
    ? [...tasks, { name: 'task reminders', run: (d: Database) => sendTaskReminders(d, reminders) }]
    : tasks;
  const runAll = () => {
    for (const task of jobs) {
      task.run(db).catch((error: unknown) => {
        logger.warn({ err: error, task: task.name }, 'housekeeping failed');
      });
    }
  };
  const timer = setInterval(runAll, EVERY_MS);
  timer.unref();
  runAll();
  return () => clearInterval(timer);
}
