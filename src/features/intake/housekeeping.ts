import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { removeExpiredMailboxSessions } from './mailbox-service.ts';

const EVERY_MS = 10 * 60 * 1000;

/**
 * Removes expired reporter sessions regularly. The delete is idempotent, so several app processes
 * may each run it; the scheduled-job queue of a later issue can take this over.
 */
export function startIntakeHousekeeping(db: Database, logger: Logger): () => void {
  const run = () => {
    removeExpiredMailboxSessions(db).catch((error: unknown) => {
      logger.warn({ err: error }, 'housekeeping failed');
    });
  };
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  run();
  return () => clearInterval(timer);
}
