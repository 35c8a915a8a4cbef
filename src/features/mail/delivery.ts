import { EventEmitter } from 'node:events';
import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { MailConfig } from '../../config/config.ts';
import { openRecipient } from './outbox.ts';

/**
 * Delivers the outbox (outbox.ts). Several processes may run this worker at once: a batch is claimed
 * with FOR UPDATE SKIP LOCKED and a short lease (`locked_until`), so each message is sent by one of
 * them; sending happens after the claim committed, so no row lock is held while an SMTP server
 * thinks. A message is retried with growing pauses and given up after MAX_ATTEMPTS. Once sent (or
 * given up) its recipient and body are wiped: the body of an invitation is a credential.
 *
 * Delivery is at least once. A process that dies after the SMTP server accepted a message but before
 * it marked the row sent leaves the claim to run out; another process then sends the message again.
 * Every attempt carries the same Message-ID (the outbox row's id), so the receiving side can
 * recognise the copies as one message. Nothing is lost: the row is queued in the transaction of what
 * it announces and only marked sent after the server accepted it.
 */

export interface MailMessage {
  /** `<outbox-id@sender-domain>`: the same on every attempt, so a resent copy is the same message. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  /** `console` prints instead of sending (embedded mode without SMTP). */
  readonly kind: 'smtp' | 'console';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export const MAX_ATTEMPTS = 8;
/** How long a claim holds a message; a process that died mid-send frees it after this. */
export const CLAIM_LEASE_MS = 2 * 60 * 1000;
const BATCH_SIZE = 10;
const FIRST_RETRY_MS = 30 * 1000;
const LONGEST_RETRY_MS = 60 * 60 * 1000;

/** The pause before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

/** Real SMTP (nodemailer) for `smtp://` (STARTTLS when offered) and `smtps://` URLs with credentials. */
export function smtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    // nodemailer's own logger would print addresses.
    logger: false,
  });
  return {
    kind: 'smtp',
    async send(message) {
      await transporter.sendMail({
        messageId: message.messageId,
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * Embedded and development mode without SMTP: the message goes to standard output, where the setup
 * link was printed, and never through the logger (logs must not carry invitation links).
 */
export function consoleTransport(
  write: (text: string) => void = (text) => process.stdout.write(text),
): MailTransport {
  return {
    kind: 'console',
    send(message) {
      write(
        `\nMail (no SMTP_URL set, so printed here instead of sent)\n` +
          `  To: ${message.to}\n  Subject: ${message.subject}\n\n${message.text}\n\n`,
      );
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

export function transportFor(mail: MailConfig): MailTransport {
  return mail.smtpUrl ? smtpTransport(mail.smtpUrl) : consoleTransport();
}

interface ClaimedMail {
  id: string;
  recipient: Buffer | null;
  subject: string;
  body: string | null;
  attempts: number;
}

/** The Message-ID of an outbox row: its id at the domain of the From address. */
export function messageIdFor(outboxId: string, from: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  const domain = address.split('@').at(-1)?.trim() || 'localhost';
  return `<${outboxId}@${domain}>`;
}

/** Takes up to `limit` due messages for this process, counting the attempt. */
async function claimDueMail(db: Database, now: Date, limit: number): Promise<ClaimedMail[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('mail_outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      // (The column's generated type does not take a Date in a comparison; the SQL is the same.)
      .where(sql<boolean>`next_attempt_at <= ${now}`)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('mail_outbox')
      .set({
        attempts: sql<number>`attempts + 1`,
        locked_until: new Date(now.getTime() + CLAIM_LEASE_MS),
      })
      .where(
        'id',
        'in',
        due.map((row) => row.id),
      )
      .returning(['id', 'recipient', 'subject', 'body', 'attempts'])
      .execute();
  });
}

/**
 * What may be stored about a failure: the error's code and the SMTP status, never its text (a
 * server's answer often repeats the address).
 */
export function describeFailure(error: unknown): string {
  const facts = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const code = typeof facts.code === 'string' && /^[A-Z_]{1,40}$/.test(facts.code) ? facts.code : 'ERROR';
  const status = typeof facts.responseCode === 'number' ? ` ${facts.responseCode}` : '';
  return `${code}${status}`;
}

const wiped = { recipient: null, body: null, locked_until: null } as const;

export interface DeliveryRun {
  sent: number;
  retrying: number;
  failed: number;
}

/** One pass: claims due messages and sends each; returns what happened. */
export async function deliverDueMail(
  db: Database,
  options: { rootKey: Buffer; transport: MailTransport; from: string; now?: Date; limit?: number },
): Promise<DeliveryRun> {
  const now = options.now ?? new Date();
  const claimed = await claimDueMail(db, now, options.limit ?? BATCH_SIZE);
  const run: DeliveryRun = { sent: 0, retrying: 0, failed: 0 };
  for (const mail of claimed) {
    try {
      if (!mail.recipient || mail.body === null) throw Object.assign(new Error('empty'), { code: 'EMPTY' });
      await options.transport.send({
        messageId: messageIdFor(mail.id, options.from),
        from: options.from,
        to: openRecipient(options.rootKey, mail.id, mail.recipient),
        subject: mail.subject,
        text: mail.body,
      });
      await db
        .updateTable('mail_outbox')
        .set({ ...wiped, sent_at: new Date(), last_error: null })
        .where('id', '=', mail.id)
        .execute();
      run.sent++;
    } catch (error) {
      const givingUp = mail.attempts >= MAX_ATTEMPTS;
      const lastError = describeFailure(error);
      const retryAt = new Date(now.getTime() + retryDelayMs(mail.attempts));
      const update = db.updateTable('mail_outbox').where('id', '=', mail.id);
      await (
        givingUp
          ? update.set({ ...wiped, failed_at: new Date(), last_error: lastError })
          : update.set({
              locked_until: null,
              next_attempt_at: retryAt,
              last_error: lastError,
            })
      ).execute();
      if (givingUp) run.failed++;
      else run.retrying++;
    }
  }
  return run;
}

/** Lets code that just queued mail wake the worker of this process instead of waiting for its poll. */
const queued = new EventEmitter();
export function notifyMailQueued(): void {
  queued.emit('queued');
}

export interface MailWorker {
  /** Runs a pass now (or right after the current one). */
  kick(): void;
  /** Stops polling, waits for a pass in progress, closes the transport. */
  stop(): Promise<void>;
}

/** Polls every `intervalMs` (and on `notifyMailQueued`) until stopped. */
export function startMailDelivery(
  db: Database,
  options: {
    rootKey: Buffer;
    mail: MailConfig;
    logger: Logger;
    transport?: MailTransport;
    intervalMs?: number;
  },
): MailWorker {
  const transport = options.transport ?? transportFor(options.mail);
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const pass = async () => {
    do {
      again = false;
      const run = await deliverDueMail(db, { rootKey: options.rootKey, transport, from: options.mail.from });
      if (run.sent + run.retrying + run.failed > 0) {
        options.logger.info({ event: 'mail.delivery', transport: transport.kind, ...run }, 'mail delivery');
      }
      // A full batch may mean more is waiting.
      if (run.sent + run.retrying + run.failed >= BATCH_SIZE) again = true;
    } while (again && !stopped);
  };
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((error: unknown) => options.logger.warn({ err: error }, 'mail delivery failed'))
      .finally(() => {
        running = undefined;
      });
  };

  const timer = setInterval(kick, options.intervalMs ?? 5000);
  timer.unref();
  queued.on('queued', kick);
  kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      queued.off('queued', kick);
      await running;
      transport.close();
    },
  };
}
