import type { Database } from '../../db/database.ts';
import { createTranslators, loadCatalogs, type Translator } from '../../i18n/i18n.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { centreToday } from './task-dates.ts';

/**
 * Reminders for tasks due today or earlier: one mail per owner, however many tasks, and never twice
 * for a task (reminded_at). The mail leaves our systems, so it says only how many tasks are due and
 * where to sign in: no case number, no title, no task text.
 */
export interface ReminderSettings {
  /** Root key the outbox derives its recipient-encryption key from. */
  rootKey: Buffer;
  /** The site's absolute URL; the mail links to the back office's task list. */
  publicUrl: string;
}

export const MY_TASKS_PATH = '/beheer/taken';

let translators: Record<'nl' | 'en', Translator> | undefined;
const translatorsOnce = () => (translators ??= createTranslators(loadCatalogs()));

/** The mail in Dutch and English: staff addresses carry no language. */
function reminderMail(count: number, url: string) {
  const { nl, en } = translatorsOnce();
  return {
    subject: `${nl.t('tasks.reminder.subject')} / ${en.t('tasks.reminder.subject')}`,
    body: `${nl.t('tasks.reminder.body', { count, url })}\n\n---\n\n${en.t('tasks.reminder.body', { count, url })}\n`,
  };
}

/**
 * Queues the reminders and marks the tasks reminded, in one transaction. Rows another process is
 * working on are skipped (FOR UPDATE SKIP LOCKED), so running this in several processes at once
 * sends each reminder once. Returns the number of mails queued.
 */
export async function sendTaskReminders(
  db: Database,
  settings: ReminderSettings,
  now = new Date(),
): Promise<number> {
  const today = centreToday(now);
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('case_task')
      .select(['id', 'owner_user_id'])
      .where('done_at', 'is', null)
      .where('reminded_at', 'is', null)
      .where('owner_user_id', 'is not', null)
      .where('due_on', '<=', today)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return 0;
    const ownerIds = [...new Set(due.map((task) => task.owner_user_id ?? ''))];
    const owners = await trx
      .selectFrom('staff_user')
      .select(['id', 'email'])
      .where('id', 'in', ownerIds)
      .where('disabled_at', 'is', null)
      .execute();
    const url = new URL(MY_TASKS_PATH, settings.publicUrl).toString();
    for (const owner of owners) {
      const count = due.filter((task) => task.owner_user_id === owner.id).length;
      await enqueueMail(trx, settings.rootKey, {
        kind: 'task_reminder',
        to: owner.email,
        ...reminderMail(count, url),
      });
    }
    // Tasks of a disabled owner are marked too: nobody to remind, and no reason to look again.
    await trx
      .updateTable('case_task')
      .set({ reminded_at: now })
      .where(
        'id',
        'in',
        due.map((task) => task.id),
      )
      .execute();
    return owners.length;
  });
}
