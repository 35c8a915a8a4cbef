import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { DatabaseHandle } from '../../db/database.ts';
import { createTestDatabase } from '../../test/database.ts';
import { mailText, startTestSmtpServer, type TestSmtpServer } from '../../test/smtp.ts';
import { enqueueMail, type OutgoingMail } from './outbox.ts';
import {
  CLAIM_LEASE_MS,
  MAX_ATTEMPTS,
  consoleTransport,
  deliverDueMail,
  describeFailure,
  messageIdFor,
  retryDelayMs,
  smtpTransport,
  type MailTransport,
} from './delivery.ts';

const rootKey = randomBytes(32);
const FROM = 'Baken <baken@example.org>';
const invitation = (to: string): OutgoingMail => ({
  kind: 'staff_invite',
  to,
  subject: 'Uitnodiging voor Baken',
  body: `Maak uw account aan: https://baken.example.org/beheer/uitnodiging/${'A'.repeat(43)}`,
});

describe('mail delivery', () => {
  let database: DatabaseHandle;
  let smtp: TestSmtpServer;
  before(async () => {
    database = await createTestDatabase();
    smtp = await startTestSmtpServer();
  });
  after(async () => {
    await smtp.close();
    await database.close();
  });

  const queue = (mail: OutgoingMail) =>
    database.db.transaction().execute((trx) => enqueueMail(trx, rootKey, mail));
  const row = async (id: string) => {
    const stored = await database.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // schema.ts wraps this column's ColumnType in Generated; the driver returns a Date.
    return { ...stored, next_attempt_at: stored.next_attempt_at };
  };

  it('sends a queued message through a real SMTP server, then wipes recipient and body', async () => {
    const id = await queue(invitation('nieuwe.adviseur@example.org'));
    const transport = smtpTransport(smtp.url);
    const run = await deliverDueMail(database.db, { rootKey, transport, from: FROM });
    transport.close();
    assert.deepEqual(run, { sent: 1, retrying: 0, failed: 0 });
    const mail = smtp.received.at(-1);
    assert.ok(mail);
    assert.deepEqual(mail.to, ['nieuwe.adviseur@example.org']);
    assert.equal(mail.from, 'baken@example.org');
    assert.match(mailText(mail.raw), /\/beheer\/uitnodiging\/A{43}/);
    const stored = await row(id);
    assert.ok(stored.sent_at);
    assert.equal(stored.recipient, null);
    assert.equal(stored.body, null);
    assert.equal(stored.attempts, 1);
    // Sent is sent: a second pass finds nothing.
    assert.deepEqual(await deliverDueMail(database.db, { rootKey, transport, from: FROM }), {
      sent: 0,
      retrying: 0,
      failed: 0,
    });
  });

  it('prints the message on the console when no SMTP server is configured', async () => {
    const id = await queue(invitation('console@example.org'));
    const printed: string[] = [];
    const run = await deliverDueMail(database.db, {
      rootKey,
      transport: consoleTransport((text) => printed.push(text)),
      from: FROM,
    });
    assert.equal(run.sent, 1);
    const output = printed.join('');
    assert.match(output, /To: console@example.org/);
    assert.match(output, /\/beheer\/uitnodiging\/A{43}/);
    assert.equal((await row(id)).body, null);
  });

  it('retries with growing pauses, stores no personal data about a failure, and gives up', async () => {
    const id = await queue(invitation('unknown.user@example.org'));
    const failing: MailTransport = {
      kind: 'smtp',
      send: () =>
        Promise.reject(
          Object.assign(new Error('550 <unknown.user@example.org>: no such user'), {
            code: 'EENVELOPE',
            responseCode: 550,
          }),
        ),
      close: () => undefined,
    };
    let now = new Date();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const run = await deliverDueMail(database.db, { rootKey, transport: failing, from: FROM, now });
      const stored = await row(id);
      assert.equal(stored.attempts, attempt);
      assert.equal(stored.last_error, 'EENVELOPE 550');
      if (attempt < MAX_ATTEMPTS) {
        assert.equal(run.retrying, 1);
        assert.equal(stored.next_attempt_at.getTime(), now.getTime() + retryDelayMs(attempt));
        // Not due before its pause is over.
        const early = await deliverDueMail(database.db, { rootKey, transport: failing, from: FROM, now });
        assert.equal(early.retrying + early.failed, 0);
        now = stored.next_attempt_at;
      } else {
        assert.equal(run.failed, 1);
        assert.ok(stored.failed_at);
        assert.equal(stored.recipient, null, 'a message given up is wiped as well');
        assert.equal(stored.body, null);
      }
    }
  });

  it('sends each message once when several workers run at the same time', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => queue(invitation(`parallel-${i}@example.org`))),
    );
    const sentTo: string[] = [];
    const slow: MailTransport = {
      kind: 'smtp',
      send: async (message) => {
        await new Promise((resolve) => setImmediate(resolve));
        sentTo.push(message.to);
      },
      close: () => undefined,
    };
    const runs = await Promise.all(
      [1, 2, 3].map(() => deliverDueMail(database.db, { rootKey, transport: slow, from: FROM, limit: 5 })),
    );
    // Whatever the first passes left is picked up by a later one.
    while ((await deliverDueMail(database.db, { rootKey, transport: slow, from: FROM })).sent > 0);
    assert.equal(sentTo.length, 12);
    assert.equal(new Set(sentTo).size, 12, 'no message sent twice');
    assert.ok(runs.every((run) => run.sent <= 5));
    for (const id of ids) assert.ok((await row(id)).sent_at);
  });

  it('resends a message whose sender died after the SMTP server accepted it, with the same Message-ID', async () => {
    const id = await queue(invitation('twice@example.org'));
    const smtp1 = smtpTransport(smtp.url);
    const before = smtp.received.length;
    // The first worker hands the message over, then "dies": it never gets to mark the row sent.
    let accepted!: () => void;
    const handedOver = new Promise<void>((resolve) => (accepted = resolve));
    const dying: MailTransport = {
      kind: 'smtp',
      send: async (message) => {
        await smtp1.send(message);
        accepted();
        return new Promise<void>(() => undefined);
      },
      close: () => undefined,
    };
    const claimedAt = new Date();
    void deliverDueMail(database.db, { rootKey, transport: dying, from: FROM, now: claimedAt });
    await handedOver;
    // While the claim lasts, no other worker touches it; after that, one sends it again.
    const transport = smtpTransport(smtp.url);
    const during = await deliverDueMail(database.db, { rootKey, transport, from: FROM, now: claimedAt });
    assert.equal(during.sent, 0);
    const later = new Date(claimedAt.getTime() + CLAIM_LEASE_MS + 1);
    const retry = await deliverDueMail(database.db, { rootKey, transport, from: FROM, now: later });
    transport.close();
    smtp1.close();
    assert.equal(retry.sent, 1);
    const copies = smtp.received.slice(before);
    assert.equal(copies.length, 2, 'at least once: the copy is sent again');
    const messageIds = copies.map((mail) => /^Message-ID: (.+)$/im.exec(mail.raw)?.[1]?.trim());
    assert.equal(messageIds[0], `<${id}@example.org>`);
    assert.equal(messageIds[1], messageIds[0], 'both copies carry the same Message-ID');
    const stored = await row(id);
    assert.ok(stored.sent_at);
    assert.equal(stored.attempts, 2);
  });

  it('derives the Message-ID domain from the From address', () => {
    assert.equal(
      messageIdFor('abc', 'Baken Twente <baken@meldpunt.example.nl>'),
      '<abc@meldpunt.example.nl>',
    );
    assert.equal(messageIdFor('abc', 'baken@example.org'), '<abc@example.org>');
  });

  it('keeps only a code and status of an error', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.integer({ min: 100, max: 599 })), (message, status) => {
        const text = describeFailure(
          Object.assign(new Error(message), { code: message, responseCode: status }),
        );
        assert.match(text, /^[A-Z_]{1,40}( \d{3})?$/);
      }),
    );
  });

  it('waits longer after each failure, never more than an hour', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (attempts) => {
        assert.ok(retryDelayMs(attempts + 1) >= retryDelayMs(attempts));
        assert.ok(retryDelayMs(attempts) >= 30_000 && retryDelayMs(attempts) <= 60 * 60 * 1000);
      }),
    );
  });
});
