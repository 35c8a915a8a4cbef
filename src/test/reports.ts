import { randomUUID } from 'node:crypto';
import type { TestApp } from './app.ts';
import { submitReport } from '../features/intake/intake-service.ts';
import type { ReportForm } from '../features/intake/report-form.ts';

/** A report straight through the intake service, as the public form would store it; returns its id. */
export async function seedReport(
  t: TestApp,
  form: Partial<ReportForm> = {},
  receivedAt?: Date,
): Promise<string> {
  const { reportId } = await submitReport(t.database.db, t.config.secrets, {
    form: {
      acute_danger: 'no',
      audience: 'environment',
      exploitation_forms: ['labour'],
      municipality: 'GM0153',
      narrative: `Geplant verhaal ${randomUUID()}`,
      reply_channel: 'receipt',
      consent: 'yes',
      ...form,
    },
    submissionKey: randomUUID(),
    language: 'nl',
    consentVersion: t.config.intake.consentVersion,
    files: [],
  });
  if (receivedAt) {
    await t.database.db
      .updateTable('report')
      .set({ received_at: receivedAt } as never)
      .where('id', '=', reportId)
      .execute();
  }
  return reportId;
}
