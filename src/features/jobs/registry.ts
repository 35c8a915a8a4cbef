import type { Config } from '../../config/config.ts';
import { housekeepingJobs } from '../housekeeping/housekeeping.ts';
import { runRetentionJob } from '../retention/retention-service.ts';
import { CENTRE_TIME_ZONE } from '../tasks/task-dates.ts';
import { dailyAt } from './schedule.ts';
import { jobHistoryCleanup, type JobDefinition } from './scheduler.ts';

/**
 * Nightly work runs at a fixed time in the centre's zone, not "24 hours after start", so restarts
 * and deploys neither shift nor double it; 03:00 is after the evening shift and before the morning.
 */
export const RETENTION_TIME = '03:00';

/** Every scheduled job of the app. A new job is one entry here. */
export function appJobs(config: Config): JobDefinition[] {
  return [
    ...housekeepingJobs({ rootKey: config.secrets.secretKey, publicUrl: config.publicUrl }),
    {
      name: 'retention',
      schedule: dailyAt(RETENTION_TIME, CENTRE_TIME_ZONE),
      // Deleting a large backlog after a long outage can take a while.
      leaseMs: 60 * 60 * 1000,
      run: ({ db, now, signal }) => runRetentionJob(db, config, now, signal),
    },
    jobHistoryCleanup(dailyAt('03:30', CENTRE_TIME_ZONE)),
  ];
}
