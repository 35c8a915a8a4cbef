import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { decrypt, encrypt } from '../../crypto/envelope.ts';
import { deriveKey } from '../../crypto/keys.ts';

/**
 * The e-mail outbox. A message is queued in the same transaction as what it announces (an invitation,
 * news for a reporter), so nothing is announced that did not happen and nothing that happened goes
 * unannounced. Delivery is a separate worker (delivery.ts). The recipient address is encrypted under a
 * derived key; recipient and body are wiped once the message has gone.
 */
export type MailKind = 'staff_invite' | 'staff_reset' | 'reporter_news' | 'task_reminder';

export interface OutgoingMail {
  kind: MailKind;
  to: string;
  subject: string;
  /** Plain text. Never case content: mail leaves our systems. */
  body: string;
}

const recipientKey = (rootKey: Buffer) => deriveKey(rootKey, 'mail-recipient');
const recipientAad = (id: string) => `mail_outbox:${id}:recipient`;

export function sealRecipient(rootKey: Buffer, id: string, address: string): Buffer {
  return encrypt(recipientKey(rootKey), address, recipientAad(id));
}

export function openRecipient(rootKey: Buffer, id: string, sealed: Buffer): string {
  return decrypt(recipientKey(rootKey), sealed, recipientAad(id)).toString('utf8');
}

/** Queues one message inside the caller's transaction; returns the outbox row id. */
export async function enqueueMail(
  trx: Transaction<DB>,
  rootKey: Buffer,
  mail: OutgoingMail,
): Promise<string> {
  const id = randomUUID();
  await trx
    .insertInto('mail_outbox')
    .values({
      id,
      kind: mail.kind,
      recipient: sealRecipient(rootKey, id, mail.to),
      subject: mail.subject,
      body: mail.body,
    })
    .execute();
  return id;
}
